package extension

import (
	"errors"
	"fmt"
	"os"
	"time"

	"workbook/stage18_magnet_piece/peer"
)

// ReadHandshake reads messages from c until the peer's extension
// handshake, and returns it parsed. What may come before it is skipped:
// BEP 3 messages (bitfield, have, unchoke, keep-alives: BEP 10 fixes no
// order) and extension messages other than the handshake (nothing was
// asked for yet). The whole wait is bounded by c.Timeouts.Handshake, so a
// peer that keeps talking without ever sending it is left in bounded time;
// each message's length is capped by c.MaxMessage before it is read.
func ReadHandshake(c *peer.Conn) (Handshake, error) {
	limit := c.Timeouts.Handshake
	deadline := time.Now().Add(limit)
	read := c.Timeouts.Read
	defer func() { c.Timeouts.Read = read }()
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return Handshake{}, fmt.Errorf("no extension handshake within %v", limit)
		}
		c.Timeouts.Read = min(read, left)
		m, err := c.ReadMessage()
		if errors.Is(err, os.ErrDeadlineExceeded) && left < read {
			return Handshake{}, fmt.Errorf("no extension handshake within %v: %w", limit, os.ErrDeadlineExceeded)
		}
		if err != nil {
			return Handshake{}, fmt.Errorf("waiting for the extension handshake: %w", err)
		}
		if m == nil || m.ID != MessageID {
			continue // keep-alive, or a BEP 3 message
		}
		if len(m.Payload) == 0 {
			return Handshake{}, errors.New("extension message without an extended id")
		}
		if m.Payload[0] == HandshakeID {
			return ParseHandshake(m.Payload[1:])
		}
	}
}
