package metadata

import (
	"fmt"

	"workbook/stage16_metadata_request/extension"
	"workbook/stage16_metadata_request/peer"
)

// Peer is a connection whose extension handshake (BEP 10) is done, with
// the id the peer gave ut_metadata in it. Extension ids are per direction:
// our messages carry the peer's id, its messages to us carry ours.
type Peer struct {
	Conn    *peer.Conn
	TheirID uint8 // the peer's ut_metadata id, from its extension handshake
}

// RequestPieces asks p for the metadata pieces from to to-1, pipelined: all
// the requests in one write, without waiting for an answer in between.
func (p Peer) RequestPieces(from, to int) error {
	batch := make([]*peer.Message, 0, to-from)
	for i := from; i < to; i++ {
		batch = append(batch, extended(p.TheirID, Request(i)))
	}
	if err := p.Conn.WriteMessages(batch...); err != nil {
		return fmt.Errorf("metadata: send %d requests: %w", len(batch), err)
	}
	return nil
}

// extended wraps a ut_metadata payload in a BEP 10 extended message (id
// 20) for the extended id id.
func extended(id uint8, payload []byte) *peer.Message {
	return &peer.Message{ID: extension.MessageID, Payload: append([]byte{id}, payload...)}
}
