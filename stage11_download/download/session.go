// Package download fetches pieces from peers over the peer wire protocol
// (BEP 3): it tells a peer it is interested, waits to be unchoked, requests
// a piece block by block with many requests in flight, and checks the
// piece's SHA-1 before anyone gets to see it.
//
// https://www.bittorrent.org/beps/bep_0003.html#peer-messages
package download

import (
	"fmt"

	"workbook/stage11_download/peer"
)

// Session is our side of one connection: what the peer told us so far.
// Every message read from the peer goes through Handle, so the state stays
// right whoever reads (Piece here, the whole-file workers of stage 11).
type Session struct {
	Conn      *peer.Conn
	NumPieces int
	// Has is what the peer has: its bitfield, plus every `have` since.
	Has peer.Bitfield
	// Choked: the peer is not serving our requests. Every connection starts
	// choked (BEP 3) until the peer sends unchoke.
	Choked bool
	// Interested: we have told the peer we want something it has.
	Interested bool

	messages int // messages handled, keep-alives not counted
}

// NewSession starts the state of a fresh connection to a peer of a torrent
// with numPieces pieces, and caps the peer's messages at the longest a
// piece or bitfield can be.
func NewSession(conn *peer.Conn, numPieces int) *Session {
	conn.MaxMessage = peer.MaxMessageLength(numPieces)
	return &Session{Conn: conn, NumPieces: numPieces, Has: peer.NewBitfield(numPieces), Choked: true}
}

// Handle updates the state from one message (nil: keep-alive): choke,
// unchoke, have and bitfield change it, other messages are the caller's. An
// error means the peer broke the protocol and should be dropped.
func (s *Session) Handle(m *peer.Message) error {
	if m == nil {
		return nil // keep-alive: allowed anywhere, means nothing
	}
	first := s.messages == 0
	s.messages++
	switch m.ID {
	case peer.MsgChoke:
		s.Choked = true
	case peer.MsgUnchoke:
		s.Choked = false
	case peer.MsgHave:
		i, err := peer.ParseHave(m)
		if err != nil {
			return err
		}
		if i >= s.NumPieces {
			return fmt.Errorf("have for piece %d, but the torrent has %d pieces", i, s.NumPieces)
		}
		s.Has.Set(i)
	case peer.MsgBitfield:
		// BEP 3: the bitfield comes first or not at all.
		if !first {
			return fmt.Errorf("bitfield after %d other messages", s.messages-1)
		}
		bf, err := peer.ParseBitfield(m.Payload, s.NumPieces)
		if err != nil {
			return err
		}
		s.Has = bf
	}
	return nil
}

// SendInterested tells the peer we want what it has, once.
func (s *Session) SendInterested() error {
	if s.Interested {
		return nil
	}
	if err := s.Conn.WriteMessage(&peer.Message{ID: peer.MsgInterested}); err != nil {
		return err
	}
	s.Interested = true
	return nil
}
