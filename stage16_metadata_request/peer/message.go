package peer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MessageID says what a message is (BEP 3). Every message after the
// handshake is
//
//	length (4 bytes, big-endian) | id (1 byte) | payload (length-1 bytes)
//
// and a length of zero, with no id, is a keep-alive.
type MessageID uint8

// The message IDs of BEP 3.
const (
	MsgChoke         MessageID = 0 // no payload: I will not serve your requests
	MsgUnchoke       MessageID = 1 // no payload: ask away
	MsgInterested    MessageID = 2 // no payload: you have something I want
	MsgNotInterested MessageID = 3 // no payload
	MsgHave          MessageID = 4 // piece index (4): I have just got this piece
	MsgBitfield      MessageID = 5 // one bit a piece, high bit first: sent once, first
	MsgRequest       MessageID = 6 // index, begin, length (4 each): send me this block
	MsgPiece         MessageID = 7 // index, begin (4 each), then the block's bytes
	MsgCancel        MessageID = 8 // index, begin, length: never mind that request
)

// String returns the message's name in BEP 3.
func (id MessageID) String() string {
	names := [...]string{"choke", "unchoke", "interested", "not interested",
		"have", "bitfield", "request", "piece", "cancel"}
	if int(id) < len(names) {
		return names[id]
	}
	return fmt.Sprintf("message %d", uint8(id))
}

// BlockSize is the size of the blocks a piece is requested in: 16 KiB, what
// every client uses and the most many will serve (BEP 3).
const BlockSize = 16 * 1024

// MaxPieceMessage is the longest piece message (id, index, begin, one
// block), and the length cap when the piece count is not known: a peer can
// put anything in a length prefix (0xFFFFFFFF = 4 GiB), so it is checked
// before a byte is allocated.
const MaxPieceMessage = 1 + 4 + 4 + BlockSize

// MaxMessageLength is the longest message a peer may send for a torrent of
// numPieces pieces: a piece message, or a bitfield of numPieces bits.
func MaxMessageLength(numPieces int) uint32 {
	return uint32(max(MaxPieceMessage, 1+(numPieces+7)/8))
}

// ErrMessageTooLong is wrapped by the error for a length prefix over the cap.
var ErrMessageTooLong = errors.New("message too long")

// Message is one peer message. A nil *Message is a keep-alive.
type Message struct {
	ID      MessageID
	Payload []byte
}

// String describes the message for errors and logs.
func (m *Message) String() string {
	if m == nil {
		return "keep-alive"
	}
	return fmt.Sprintf("%v (%d bytes)", m.ID, len(m.Payload))
}

// ReadMessage reads one message from r (nil: a keep-alive). A length prefix
// over maxLen is refused before anything is allocated (ErrMessageTooLong):
// the peer is hostile or broken, the connection of no further use.
func ReadMessage(r io.Reader, maxLen uint32) (*Message, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, fmt.Errorf("read message length: %w", err)
	}
	length := binary.BigEndian.Uint32(prefix[:])
	if length == 0 {
		return nil, nil // keep-alive
	}
	if length > maxLen {
		return nil, fmt.Errorf("%w: length prefix %d (%#08x) over the %d bytes any message may have",
			ErrMessageTooLong, length, length, maxLen)
	}
	buf := make([]byte, length)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read %d-byte message: %w", length, err)
	}
	return &Message{ID: MessageID(buf[0]), Payload: buf[1:]}, nil
}

// AppendMessage appends m's bytes on the wire to b (a nil m: keep-alive).
func AppendMessage(b []byte, m *Message) []byte {
	if m == nil {
		return binary.BigEndian.AppendUint32(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(1+len(m.Payload)))
	b = append(b, byte(m.ID))
	return append(b, m.Payload...)
}

// NewRequest asks for length bytes of piece index starting at begin.
func NewRequest(index, begin, length int) *Message {
	return &Message{ID: MsgRequest, Payload: uint32s(index, begin, length)}
}

// NewCancel withdraws a request made with the same numbers.
func NewCancel(index, begin, length int) *Message {
	return &Message{ID: MsgCancel, Payload: uint32s(index, begin, length)}
}

func uint32s(vs ...int) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// ParseHave returns the piece index of a have message.
func ParseHave(m *Message) (int, error) {
	if m.ID != MsgHave || len(m.Payload) != 4 {
		return 0, fmt.Errorf("malformed have: %v, want 4 bytes", m)
	}
	return int(binary.BigEndian.Uint32(m.Payload)), nil
}

// ParsePiece returns the piece index, the offset in the piece and the block
// of a piece message. The block shares m's memory.
func ParsePiece(m *Message) (index, begin int, block []byte, err error) {
	if m.ID != MsgPiece || len(m.Payload) < 8 {
		return 0, 0, nil, fmt.Errorf("malformed piece: %v, want at least 8 bytes", m)
	}
	index = int(binary.BigEndian.Uint32(m.Payload[0:4]))
	begin = int(binary.BigEndian.Uint32(m.Payload[4:8]))
	return index, begin, m.Payload[8:], nil
}
