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

	numFaults // keep last
)

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
}

// String returns the fault's name, as used in test names.
func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Faults lists every fault, Honest first, for table-driven tests.
func Faults() []Fault {
	all := make([]Fault, 0, numFaults)
	for f := range numFaults {
		all = append(all, f)
	}
	return all
}

// HandshakeFault reports whether f stops the connection at the handshake.
func (f Fault) HandshakeFault() bool {
	return f >= WrongInfoHash && f <= ResetAfterHandshake
}
