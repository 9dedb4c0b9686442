package download

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"workbook/stage13_magnet_handshake/peer"
)

// Why a peer is dropped, besides a piece failing its SHA-1 check
// (ErrHashMismatch): it sent something BEP 3 does not allow, such as a bad
// bitfield or a flood of blocks we never asked for, or no block we asked
// for within peer.Timeouts.Read.
var (
	ErrProtocol = errors.New("peer broke the protocol")
	ErrStalled  = errors.New("peer stalled")
)

// PipelineDepth is how many block requests a session keeps in flight to a
// new peer, until its first block has timed a round trip and the meter
// takes over. 64 blocks = 1 MiB covers 100 Mbit/s 80 ms away, where the
// course's 5 fill only 80 KiB, and stays under the 250 requests libtorrent
// queues per peer by default (BEP 10 `reqq`).
const PipelineDepth = 64

// session is our side of one connection: what the peer told us, the pieces
// we fetch from it and the requests in flight. Every message goes through
// handle, so one set of rules holds for one piece and for a whole torrent.
type session struct {
	conn       *peer.Conn
	numPieces  int
	has        peer.Bitfield // the peer's bitfield, plus every have since
	choked     bool          // every connection starts choked (BEP 3)
	interested bool          // we told the peer we want what it has
	messages   int           // handled, keep-alives not counted

	pieces   []*piece // the pieces we fetch from this peer
	depth    int      // requests to keep in flight (PipelineDepth at first)
	inFlight int      // requests sent and not answered
	peak     int      // the most requests ever in flight
	meter    *meter   // if set, sizes depth from the peer's round trip and rate

	stall     time.Duration // how long the peer may send no block we asked for
	lastBlock time.Time     // when it last sent one
	// Blocks we did not ask for (see stray), blocks we took, and requests
	// we gave up (a choke, a cancel).
	strays, accepted, abandoned int
}

// newSession starts the state of a fresh connection (for a torrent of
// numPieces pieces) and caps the peer's messages at the longest a piece or
// bitfield can be. The connection's read limit is also the stall limit.
func newSession(conn *peer.Conn, numPieces int) *session {
	conn.MaxMessage = peer.MaxMessageLength(numPieces)
	return &session{conn: conn, numPieces: numPieces, has: peer.NewBitfield(numPieces), choked: true,
		depth: PipelineDepth, meter: &meter{rtt: conn.RoundTrip}, stall: conn.Timeouts.Read, lastBlock: time.Now()}
}

// handle acts on one message (nil: keep-alive) and returns the piece it
// completed, if any. An error means the peer broke the protocol.
func (s *session) handle(m *peer.Message) (*piece, error) {
	if m == nil {
		return nil, nil // keep-alive: allowed anywhere, means nothing
	}
	s.messages++
	switch m.ID {
	case peer.MsgChoke:
		// BEP 3: a choke drops every request the peer had from us. Keep
		// the blocks that came; ask for the rest again after an unchoke.
		s.choked = true
		for _, p := range s.pieces {
			p.unrequest()
		}
		s.abandoned += s.inFlight
		s.inFlight = 0
	case peer.MsgUnchoke:
		s.choked = false
	case peer.MsgHave:
		i, err := peer.ParseHave(m)
		if err == nil && i >= s.numPieces {
			err = fmt.Errorf("have for piece %d, but the torrent has %d pieces", i, s.numPieces)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		s.has.Set(i)
	case peer.MsgBitfield:
		return nil, s.bitfield(m)
	case peer.MsgPiece:
		return s.block(m)
	}
	return nil, nil // interested, request, cancel, extensions: we only download
}

// bitfield takes the peer's bitfield, which BEP 3 allows only first.
func (s *session) bitfield(m *peer.Message) error {
	if s.messages != 1 {
		return fmt.Errorf("%w: bitfield after %d other messages", ErrProtocol, s.messages-1)
	}
	bf, err := peer.ParseBitfield(m.Payload, s.numPieces)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	s.has = bf
	return nil
}

// block stores a piece message's block if it is one we asked for and still
// miss, and returns its piece once that is complete. Anything else is a
// stray, never written: a stray block must not corrupt a piece.
func (s *session) block(m *peer.Message) (*piece, error) {
	index, begin, data, err := peer.ParsePiece(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	i := slices.IndexFunc(s.pieces, func(p *piece) bool { return p.index == index })
	if i < 0 || !s.pieces[i].store(begin, data) {
		return nil, s.stray(index, begin)
	}
	s.inFlight--
	s.accepted++
	s.lastBlock = time.Now()
	if s.meter != nil {
		s.depth = s.meter.received(s.depth)
	}
	if p := s.pieces[i]; p.complete() {
		return p, nil
	}
	return nil, nil
}

// stray counts a block we did not ask for or no longer wait for. Some are
// innocent (on the wire when the peer choked us or got our cancel): the
// deepest pipeline we had (the meter may have shrunk it since) and one
// per block we took or gave up are forgiven.
func (s *session) stray(index, begin int) error {
	s.strays++
	if s.strays > s.peak+s.accepted+s.abandoned {
		return fmt.Errorf("%w: %d blocks we did not ask for (the last at %d in piece %d)", ErrProtocol, s.strays, begin, index)
	}
	return nil
}

// sendInterested tells the peer we want what it has, once.
func (s *session) sendInterested() error {
	if s.interested {
		return nil
	}
	if err := s.conn.WriteMessages(&peer.Message{ID: peer.MsgInterested}); err != nil {
		return fmt.Errorf("send interested: %w", err)
	}
	s.interested = true
	return nil
}

// request tops the requests in flight up to depth, from the blocks of
// s.pieces the peer has and we have not asked for, and sends them in one
// write. A choked peer gets none: it would ignore them.
func (s *session) request() error {
	var batch []*peer.Message
	for _, p := range s.pieces {
		if s.choked || !s.has.Has(p.index) {
			continue
		}
		before := len(batch)
		batch = p.requests(batch, s.depth-s.inFlight)
		s.inFlight += len(batch) - before
		s.peak = max(s.peak, s.inFlight)
	}
	if len(batch) == 0 {
		return nil
	}
	if s.meter != nil && s.inFlight == len(batch) { // into an empty pipeline: a probe
		s.meter.probe = time.Now()
	}
	if err := s.conn.WriteMessages(batch...); err != nil {
		return fmt.Errorf("send %d requests: %w", len(batch), err)
	}
	return nil
}

// checkStall fails when the peer gave us no block we asked for within the
// stall limit: it keeps us choked, stopped sending, or has nothing we need.
func (s *session) checkStall() error {
	idle := time.Since(s.lastBlock)
	switch {
	case idle < s.stall:
		return nil
	case s.choked:
		return fmt.Errorf("%w: choked us for %v", ErrStalled, idle.Round(time.Millisecond))
	case len(s.pieces) > 0:
		return fmt.Errorf("%w: no block for %v", ErrStalled, idle.Round(time.Millisecond))
	}
	return fmt.Errorf("%w: has no piece we need", ErrStalled)
}
