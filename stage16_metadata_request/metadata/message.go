package metadata

import (
	"workbook/stage16_metadata_request/bencode"
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

// Request returns the payload of a request for piece: the bencoded
// dictionary {"msg_type": 0, "piece": piece}, encoded with this client's
// own bencode.Encode (keys sorted, as BEP 3 asks).
func Request(piece int) []byte { return encode(MsgRequest, piece) }

func encode(t MsgType, piece int) []byte {
	b, _ := bencode.Encode(map[string]any{"msg_type": int64(t), "piece": int64(piece)}) // cannot fail: two integers
	return b
}
