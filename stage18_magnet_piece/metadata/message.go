package metadata

import (
	"errors"
	"fmt"

	"workbook/stage18_magnet_piece/bencode"
	"workbook/stage18_magnet_piece/extension"
)

// PieceSize is the size of every metadata piece but the last (BEP 9).
const PieceSize = 16 * 1024

// MsgType says what a ut_metadata message is (BEP 9's msg_type).
type MsgType int64

// BEP 9's three message types.
const (
	MsgRequest MsgType = 0 // send me this piece
	MsgData    MsgType = 1 // here it is: total_size, then the piece's bytes
	MsgReject  MsgType = 2 // I will not send it
)

// String names the message type as BEP 9 does.
func (t MsgType) String() string {
	switch t {
	case MsgRequest:
		return "request"
	case MsgData:
		return "data"
	case MsgReject:
		return "reject"
	}
	return fmt.Sprintf("msg_type %d", int64(t))
}

// maxHeader bounds the bencoded dictionary at the start of a message. The
// three keys of a data message take about 50 bytes; a peer may add keys of
// its own, but not make us decode a 16 KiB dictionary.
const maxHeader = 512

// MaxMessageLength is the longest ut_metadata message, counted like a peer
// message's length prefix (id 20, the extension id, the dictionary, one
// piece): the length cap while the metadata is being fetched.
const MaxMessageLength = 1 + 1 + maxHeader + PieceSize

// ErrBadMessage is wrapped by every error about a malformed message.
var ErrBadMessage = errors.New("bad ut_metadata message")

// Message is one ut_metadata message (the payload after the extension id).
type Message struct {
	Type      MsgType
	Piece     int
	TotalSize int64  // data only: the size of the whole metadata
	Data      []byte // data only: the piece's bytes
}

// Request returns the payload of a request for piece: the bencoded
// dictionary {"msg_type": 0, "piece": piece}, encoded with this client's
// own bencode.Encode (keys sorted, as BEP 3 asks).
func Request(piece int) []byte { return encode(MsgRequest, piece) }

// Reject returns the payload of a reject of a request for piece.
func Reject(piece int) []byte { return encode(MsgReject, piece) }

func encode(t MsgType, piece int) []byte {
	b, _ := bencode.Encode(map[string]any{"msg_type": int64(t), "piece": int64(piece)}) // cannot fail: two integers
	return b
}

// ParseMessage parses the payload of a ut_metadata message: a bencoded
// dictionary and, for a data message, the piece's bytes after it (Data
// shares payload's memory). It checks the keys and their ranges, not what
// was asked for: that is the Assembler's job.
func ParseMessage(payload []byte) (Message, error) {
	v, n, err := bencode.DecodePrefix(payload[:min(len(payload), maxHeader)])
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	d, err := bencode.AsDict("", v)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	msg, err := parseDict(d)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	rest := payload[n:]
	switch {
	case msg.Type > MsgReject || msg.Type < MsgRequest:
		return msg, nil // a later extension's: its bytes are its own
	case msg.Type != MsgData && len(rest) > 0:
		return Message{}, fmt.Errorf("%w: %d bytes after a %v message's dictionary", ErrBadMessage, len(rest), msg.Type)
	case len(rest) > PieceSize:
		return Message{}, fmt.Errorf("%w: %d bytes of data, more than a %d-byte piece", ErrBadMessage, len(rest), PieceSize)
	}
	if msg.Type == MsgData {
		msg.Data = rest
	}
	return msg, nil
}

// parseDict reads msg_type, piece and (for data) total_size.
func parseDict(d bencode.Dict) (Message, error) {
	t, err := d.Int("msg_type")
	if err != nil {
		return Message{}, err
	}
	if t < int64(MsgRequest) || t > int64(MsgReject) {
		return Message{Type: MsgType(t)}, nil // BEP 9: an unknown msg_type is ignored
	}
	piece, err := d.Int("piece")
	if err != nil {
		return Message{}, err
	}
	if piece < 0 || piece >= extension.MaxMetadataSize/PieceSize {
		return Message{}, d.Errorf("piece", "%d out of range", piece)
	}
	msg := Message{Type: MsgType(t), Piece: int(piece)}
	if msg.Type != MsgData {
		return msg, nil
	}
	if msg.TotalSize, err = d.Int("total_size"); err != nil {
		return Message{}, err
	}
	if msg.TotalSize <= 0 || msg.TotalSize > extension.MaxMetadataSize {
		return Message{}, d.Errorf("total_size", "%d out of range (1 to %d)", msg.TotalSize, extension.MaxMetadataSize)
	}
	return msg, nil
}
