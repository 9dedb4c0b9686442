package swarm

import "fmt"

// Fault is the one way a seeder misbehaves. The zero value, Honest, follows
// the protocol. Orthogonal habits that real peers have (keep-alives between
// messages, slowness, announcing pieces late) are Options fields instead, so
// they combine with any Fault.
type Fault int

const (
	// Honest follows BEP 3: handshake, bitfield, unchoke on interested,
	// a piece message for every valid request.
	Honest Fault = iota

	// Handshake faults: the connection never gets past the handshake.

	// WrongInfoHash answers the handshake with another info hash (the
	// expected one with its first byte inverted).
	WrongInfoHash
	// WrongProtocol answers with pstrlen 19 but the string "BitTorrent
	// Protocol" (capital P): only a client that compares the string notices.
	WrongProtocol
	// ShortHandshake sends the first 40 of the 68 handshake bytes and
	// closes the connection.
	ShortHandshake
	// NoHandshakeReply reads the handshake and then sends nothing, holding
	// the connection open: only the client's read deadline ends the wait.
	NoHandshakeReply
	// CloseBeforeHandshake reads the handshake and closes the connection
	// without a reply (the client reads EOF).
	CloseBeforeHandshake
	// ResetBeforeHandshake reads the handshake and resets the connection
	// (RST: SO_LINGER 0) without a reply: the client's read fails with
	// "connection reset by peer".
	ResetBeforeHandshake
	// CloseAfterHandshake sends a correct handshake, then closes (FIN).
	CloseAfterHandshake
	// ResetAfterHandshake sends a correct handshake, then resets the
	// connection (RST: SO_LINGER 0), so the client's next read fails with
	// "connection reset by peer".
	ResetAfterHandshake

	// Message faults: the handshake is fine, the peer misbehaves afterwards.

	// NeverUnchoke sends its bitfield but never unchokes, whatever the
	// client says.
	NeverUnchoke
	// ChokeMidPiece serves the first block, then chokes (dropping every
	// queued request, as BEP 3 says a choke does) and never unchokes again.
	ChokeMidPiece
	// ChokeMidPieceThenUnchoke serves the first block, chokes (dropping the
	// queued requests), and unchokes again after Options.ChokeFor: a client
	// must request the dropped blocks again. It happens once per connection.
	ChokeMidPieceThenUnchoke
	// DisconnectMidPiece serves the first block, then closes the connection.
	DisconnectMidPiece
	// CorruptBlock serves every block with its first byte inverted, so no
	// piece it sends matches its SHA-1.
	CorruptBlock
	// HugeLength answers the first request with a message whose length
	// prefix is 0xFFFFFFFF (4 GiB) followed by a few bytes, then sends
	// nothing more. A client must refuse the length before allocating.
	HugeLength
	// UnrequestedBlock sends, before each requested block, a block of
	// garbage the client never asked for: one byte past the requested offset
	// in the same piece. A client that writes it where it says corrupts the
	// piece.
	UnrequestedBlock
	// UnrequestedAlignedBlock waits until the client's requests stop
	// coming, then sends Options.StrayBlocks (default 1) blocks of garbage
	// the client never asked for on this connection: each of the right size
	// and at a block boundary, starting with the block right after the last
	// one requested (the one a client fetching in order holds a buffer for
	// but has not asked for yet), round and round. Then it serves the real
	// blocks. Only a client that checks it requested a block keeps the
	// garbage out of its pieces (the SHA-1 check would catch it, but blame
	// the wrong thing).
	UnrequestedAlignedBlock
	// DuplicateBlock sends every block twice: the real block, then the same
	// index and offset again filled with garbage. A client must not let the
	// second copy overwrite the first.
	DuplicateBlock
	// BitfieldWrongSize sends a bitfield one byte longer than the piece
	// count needs, then behaves honestly. BEP 3 says to drop such a peer.
	BitfieldWrongSize
	// BitfieldSpareBits sends a bitfield of the right size with the spare
	// bits after the last piece set, then behaves honestly. Needs a piece
	// count that is not a multiple of 8.
	BitfieldSpareBits

	// Extension faults (BEP 10): the peer wire is fine, the extension
	// protocol is not. A client that does not set the extension bit sees
	// an honest seeder (except NoExtensionBit's reserved bytes).

	// NoExtensionBit leaves reserved[5] & 0x10 clear: the seeder does not
	// speak BEP 10, sends no extension handshake and treats an extended
	// message as a violation. A magnet client must give up on it.
	NoExtensionBit
	// NoExtensionHandshake sets the extension bit but never sends its
	// extension handshake (nor answers metadata requests): only the
	// client's read deadline ends the wait.
	NoExtensionHandshake
	// ExtensionHandshakeGarbage sends an extension handshake whose payload
	// is not bencode.
	ExtensionHandshakeGarbage
	// ExtensionHandshakeOversized sends a well-formed extension handshake
	// padded to OversizedExtensionHandshake bytes (1 MiB): a client must
	// refuse the length before reading it.
	ExtensionHandshakeOversized
	// NoUTMetadata sends an extension handshake whose m lacks ut_metadata
	// (it has only lt_donthave).
	NoUTMetadata
	// UTMetadataZero advertises ut_metadata 0, which BEP 10 says means
	// "disabled".
	UTMetadataZero
	// UTMetadata300 advertises ut_metadata 300: not an extended message id
	// (one byte on the wire).
	UTMetadata300
	// ExtensionHandshakeBeforeBitfield sends its extension handshake right
	// after the BitTorrent handshake, before the bitfield.
	ExtensionHandshakeBeforeBitfield
	// ExtensionHandshakeAfterUnchoke sends its bitfield, an unchoke, a
	// have and a keep-alive, and only then its extension handshake.
	ExtensionHandshakeAfterUnchoke
	// HugeMetadataSize advertises metadata_size 4 GiB (HugeMetadata) in
	// its extension handshake. A client must refuse it before allocating.
	HugeMetadataSize

	// Metadata faults (BEP 9): the extension handshake is right, the
	// metadata exchange is not.

	// MetadataWrongBytes serves every metadata piece with its bytes
	// inverted: right sizes, but the SHA-1 of the whole is not the info
	// hash.
	MetadataWrongBytes
	// MetadataWrongTotalSize serves the right bytes, but every data
	// message says total_size is one more than the true size (and than
	// the metadata_size of the extension handshake).
	MetadataWrongTotalSize
	// MetadataPieceOutOfRange answers each request with a data message for
	// piece <number of metadata pieces> (one past the last) carrying the
	// requested bytes.
	MetadataPieceOutOfRange
	// MetadataUnrequestedPiece waits for the client's extension handshake,
	// then sends a data message of garbage for metadata piece 0 before its
	// own extension handshake, so before the client could have requested
	// anything; then it serves honestly. A client must drop data it did
	// not ask for.
	MetadataUnrequestedPiece
	// MetadataHugeTotalSize serves the right bytes, but every data message
	// says total_size is 4 GiB (HugeMetadata); the extension handshake's
	// metadata_size is right.
	MetadataHugeTotalSize
	// MetadataReject answers every request with a reject (msg_type 2).
	MetadataReject
	// MetadataNoAnswer reads every request and answers none, holding the
	// connection open.
	MetadataNoAnswer

	numFaults // keep last
)

// numWireFaults ends the faults of Faults: Honest to BitfieldSpareBits.
const numWireFaults = NoExtensionBit

var faultNames = [...]string{
	Honest:                   "Honest",
	WrongInfoHash:            "WrongInfoHash",
	WrongProtocol:            "WrongProtocol",
	ShortHandshake:           "ShortHandshake",
	NoHandshakeReply:         "NoHandshakeReply",
	CloseBeforeHandshake:     "CloseBeforeHandshake",
	ResetBeforeHandshake:     "ResetBeforeHandshake",
	CloseAfterHandshake:      "CloseAfterHandshake",
	ResetAfterHandshake:      "ResetAfterHandshake",
	NeverUnchoke:             "NeverUnchoke",
	ChokeMidPiece:            "ChokeMidPiece",
	ChokeMidPieceThenUnchoke: "ChokeMidPieceThenUnchoke",
	DisconnectMidPiece:       "DisconnectMidPiece",
	CorruptBlock:             "CorruptBlock",
	HugeLength:               "HugeLength",
	UnrequestedBlock:         "UnrequestedBlock",
	UnrequestedAlignedBlock:  "UnrequestedAlignedBlock",
	DuplicateBlock:           "DuplicateBlock",
	BitfieldWrongSize:        "BitfieldWrongSize",
	BitfieldSpareBits:        "BitfieldSpareBits",

	NoExtensionBit:                   "NoExtensionBit",
	NoExtensionHandshake:             "NoExtensionHandshake",
	ExtensionHandshakeGarbage:        "ExtensionHandshakeGarbage",
	ExtensionHandshakeOversized:      "ExtensionHandshakeOversized",
	NoUTMetadata:                     "NoUTMetadata",
	UTMetadataZero:                   "UTMetadataZero",
	UTMetadata300:                    "UTMetadata300",
	ExtensionHandshakeBeforeBitfield: "ExtensionHandshakeBeforeBitfield",
	ExtensionHandshakeAfterUnchoke:   "ExtensionHandshakeAfterUnchoke",
	HugeMetadataSize:                 "HugeMetadataSize",

	MetadataWrongBytes:       "MetadataWrongBytes",
	MetadataWrongTotalSize:   "MetadataWrongTotalSize",
	MetadataPieceOutOfRange:  "MetadataPieceOutOfRange",
	MetadataUnrequestedPiece: "MetadataUnrequestedPiece",
	MetadataHugeTotalSize:    "MetadataHugeTotalSize",
	MetadataReject:           "MetadataReject",
	MetadataNoAnswer:         "MetadataNoAnswer",
}

// String returns the fault's name, as used in test names.
func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Faults lists the faults of the peer wire protocol (BEP 3: Honest to
// BitfieldSpareBits), Honest first, for table-driven tests of a client
// that downloads from a .torrent file. ExtensionFaults and MetadataFaults
// list the ones a magnet client meets; AllFaults lists every fault.
func Faults() []Fault { return faultRange(Honest, numWireFaults) }

// ExtensionFaults lists the extension-protocol faults (BEP 10):
// NoExtensionBit to HugeMetadataSize.
func ExtensionFaults() []Fault { return faultRange(NoExtensionBit, MetadataWrongBytes) }

// MetadataFaults lists the metadata-exchange faults (BEP 9):
// MetadataWrongBytes to MetadataNoAnswer.
func MetadataFaults() []Fault { return faultRange(MetadataWrongBytes, numFaults) }

// AllFaults lists every fault, Honest first.
func AllFaults() []Fault { return faultRange(Honest, numFaults) }

// faultRange lists the faults from first up to (not including) end.
func faultRange(first, end Fault) []Fault {
	all := make([]Fault, 0, end-first)
	for f := first; f < end; f++ {
		all = append(all, f)
	}
	return all
}

// ExtensionFault reports whether f is one of ExtensionFaults.
func (f Fault) ExtensionFault() bool { return f >= NoExtensionBit && f < MetadataWrongBytes }

// MetadataFault reports whether f is one of MetadataFaults.
func (f Fault) MetadataFault() bool { return f >= MetadataWrongBytes && f < numFaults }

// HandshakeFault reports whether f stops the connection at the handshake.
func (f Fault) HandshakeFault() bool {
	return f >= WrongInfoHash && f <= ResetAfterHandshake
}
