package swarm

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The peer wire protocol as the fake peers speak it (BEP 3). Kept apart from
// the workbook's own `peer` package on purpose: see the package comment.

const (
	protocol      = "BitTorrent protocol"
	handshakeLen  = 1 + len(protocol) + 8 + 20 + 20 // 68
	maxBlock      = 16 * 1024                       // largest request served (BEP 3 wiki: 2^14)
	maxInboundMsg = 1 << 20                         // a client never needs to send more than this
)

// Message IDs (BEP 3).
const (
	msgChoke         = 0
	msgUnchoke       = 1
	msgInterested    = 2
	msgNotInterested = 3
	msgHave          = 4
	msgBitfield      = 5
	msgRequest       = 6
	msgPiece         = 7
	msgCancel        = 8
	msgExtended      = 20 // BEP 10
)

// MessageName returns the BEP 3 name of a message ID, for readable records.
func MessageName(id uint8) string {
	names := [...]string{"choke", "unchoke", "interested", "not interested", "have",
		"bitfield", "request", "piece", "cancel"}
	if int(id) < len(names) {
		return names[id]
	}
	if id == msgExtended {
		return "extended"
	}
	return fmt.Sprintf("message %d", id)
}

// Handshake is a handshake a seeder received.
type Handshake struct {
	Protocol string
	Reserved [8]byte
	InfoHash [20]byte
	PeerID   [20]byte
}

// SupportsExtensions reports whether the handshake sets the extension
// protocol bit (BEP 10: reserved[5] & 0x10).
func (h Handshake) SupportsExtensions() bool { return h.Reserved[5]&extensionBit != 0 }

func encodeHandshake(pstr string, reserved [8]byte, infoHash, peerID [20]byte) []byte {
	b := make([]byte, 0, 1+len(pstr)+48)
	b = append(b, byte(len(pstr)))
	b = append(b, pstr...)
	b = append(b, reserved[:]...)
	b = append(b, infoHash[:]...)
	return append(b, peerID[:]...)
}

func readHandshake(r io.Reader) (Handshake, error) {
	var buf [handshakeLen]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return Handshake{}, fmt.Errorf("read handshake: %w", err)
	}
	var h Handshake
	n := int(buf[0])
	if n != len(protocol) {
		return h, fmt.Errorf("handshake: pstrlen %d, want %d", n, len(protocol))
	}
	h.Protocol = string(buf[1 : 1+n])
	copy(h.Reserved[:], buf[20:28])
	copy(h.InfoHash[:], buf[28:48])
	copy(h.PeerID[:], buf[48:68])
	return h, nil
}

// message is one length-prefixed message; nil means keep-alive.
type message struct {
	id      uint8
	payload []byte
}

func readMessage(r io.Reader) (*message, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(prefix[:])
	if n == 0 {
		return nil, nil
	}
	if n > maxInboundMsg {
		return nil, fmt.Errorf("message length %d over %d", n, maxInboundMsg)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return &message{id: buf[0], payload: buf[1:]}, nil
}

// appendMessage appends the encoded message (nil: keep-alive) to b.
func appendMessage(b []byte, m *message) []byte {
	if m == nil {
		return binary.BigEndian.AppendUint32(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+len(m.payload)))
	b = append(b, m.id)
	return append(b, m.payload...)
}

// Request is a request (or cancel) a seeder received: piece index, byte
// offset in the piece, length.
type Request struct {
	Index, Begin, Length int
}

func parseRequest(payload []byte) (Request, error) {
	if len(payload) != 12 {
		return Request{}, fmt.Errorf("request payload of %d bytes, want 12", len(payload))
	}
	return Request{
		Index:  int(binary.BigEndian.Uint32(payload[0:4])),
		Begin:  int(binary.BigEndian.Uint32(payload[4:8])),
		Length: int(binary.BigEndian.Uint32(payload[8:12])),
	}, nil
}

func haveMessage(index int) *message {
	return &message{id: msgHave, payload: binary.BigEndian.AppendUint32(nil, uint32(index))}
}

// bitfield returns the bitfield of a peer that has the pieces has reports,
// high bit of byte 0 = piece 0 (BEP 3).
func bitfield(numPieces int, has func(int) bool) []byte {
	bf := make([]byte, (numPieces+7)/8)
	for i := range numPieces {
		if has(i) {
			bf[i/8] |= 0x80 >> (i % 8)
		}
	}
	return bf
}
