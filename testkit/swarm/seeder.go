package swarm

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// Options configure a seeder. The zero value is an honest seeder that has
// every piece.
type Options struct {
	// PeerID is sent in the handshake; zero means "-SW0001-" followed by
	// 12 random bytes (Azureus style, SW = swarm).
	PeerID [20]byte
	// Fault is the way this seeder misbehaves (Honest by default).
	Fault Fault

	// Missing pieces are never announced; a request for one is a
	// violation and ends the connection, as some real clients do.
	Missing []int
	// LateHaves are pieces left out of the bitfield and announced with a
	// `have` message HaveDelay after the handshake (partial bitfield, then
	// haves). When no piece is left for the bitfield, none is sent (BEP 3
	// allows that for peers that have nothing).
	LateHaves []int
	// HaveDelay is the wait before the LateHaves; zero means 100ms.
	HaveDelay time.Duration
	// KeepAlives sends a keep-alive (four zero bytes) before every message.
	KeepAlives bool
	// BlockDelay is a wait before each block is sent: a slow peer, for
	// endgame tests. Cancels that arrive meanwhile are honoured.
	BlockDelay time.Duration
	// UnchokeEarly unchokes right after the bitfield, before the client
	// says it is interested (some clients do).
	UnchokeEarly bool
	// ChokeFor is how long ChokeMidPieceThenUnchoke stays choked; zero
	// means 100ms.
	ChokeFor time.Duration
	// StrayBlocks is how many blocks UnrequestedAlignedBlock sends that the
	// client never asked for; zero means 1. One is a stray a client must
	// ignore; hundreds are a peer it should drop.
	StrayBlocks int
	// Link puts the seeder far away: delay, upload rate, losses (see
	// Link). The zero value is loopback.
	Link Link

	// UTMetadataID is the ut_metadata id the seeder advertises in its
	// extension handshake (BEP 10), 1-255 except DonthaveID; zero means
	// DefaultUTMetadataID. Clients send their metadata requests with it.
	UTMetadataID int
	// MetadataSize is the metadata_size the seeder advertises; zero means
	// the true size, len(Content.Info) (left out when there is no Info).
	MetadataSize int64
}

// Seeder is a fake peer listening on 127.0.0.1 that serves one torrent's
// content to any number of connections.
type Seeder struct {
	content Content
	opts    Options
	peerID  [20]byte
	ln      net.Listener
	quit    chan struct{}
	wg      sync.WaitGroup

	mu          sync.Mutex
	conns       map[net.Conn]struct{}
	closed      bool
	accepted    int
	handshakes  []Handshake
	requests    []Request
	cancels     []Request
	messages    []uint8
	blocksSent  int
	blocksLost  int
	connsLost   int
	maxQueued   int
	violations  []string
	interesteds int
	keepAlives  int

	extHandshakes    []ExtensionHandshake
	metadataRequests []int
}

// Listen starts a seeder of content on 127.0.0.1 at a random port.
func Listen(content Content, opts Options) (*Seeder, error) {
	if err := content.validate(); err != nil {
		return nil, err
	}
	if err := opts.validate(content); err != nil {
		return nil, err
	}
	s := &Seeder{content: content, opts: opts, peerID: opts.PeerID,
		quit: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if s.peerID == ([20]byte{}) {
		copy(s.peerID[:], "-SW0001-")
		if _, err := rand.Read(s.peerID[8:]); err != nil {
			return nil, fmt.Errorf("swarm: peer id: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("swarm: listen: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Start is Listen for tests: it fails the test on error and closes the
// seeder when the test ends.
func Start(t testing.TB, content Content, opts Options) *Seeder {
	t.Helper()
	s, err := Listen(content, opts)
	if err != nil {
		t.Fatalf("start fake seeder: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (o Options) validate(c Content) error {
	n := c.NumPieces()
	for _, i := range slices.Concat(o.Missing, o.LateHaves) {
		if i < 0 || i >= n {
			return fmt.Errorf("swarm: piece %d out of range (%d pieces)", i, n)
		}
	}
	if o.Fault == BitfieldSpareBits && n%8 == 0 {
		return fmt.Errorf("swarm: BitfieldSpareBits needs a piece count that is not a multiple of 8, got %d", n)
	}
	if o.Fault < 0 || o.Fault >= numFaults {
		return fmt.Errorf("swarm: unknown fault %v", o.Fault)
	}
	if o.UTMetadataID < 0 || o.UTMetadataID > 255 || o.UTMetadataID == DonthaveID {
		return fmt.Errorf("swarm: UTMetadataID %d, want 1-255 but not %d (lt_donthave's)", o.UTMetadataID, DonthaveID)
	}
	if o.Fault.MetadataFault() && c.Info == nil {
		return fmt.Errorf("swarm: %v needs metadata to serve: set Content.Info", o.Fault)
	}
	return o.Link.validate()
}

// Addr is the seeder's address as "127.0.0.1:port".
func (s *Seeder) Addr() string { return s.ln.Addr().String() }

// AddrPort is the seeder's address, e.g. for a fake tracker's peer list.
func (s *Seeder) AddrPort() netip.AddrPort {
	return s.ln.Addr().(*net.TCPAddr).AddrPort()
}

// PeerID is the peer id the seeder sends in its handshake.
func (s *Seeder) PeerID() [20]byte { return s.peerID }

// Close stops the seeder: it closes the listener and every connection and
// waits for all of its goroutines to end. It is safe to call twice.
func (s *Seeder) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.quit)
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Seeder) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		n, ok := s.track(c)
		if !ok {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			var conn net.Conn = c
			if s.opts.Link.shaped() {
				lc := newLinkConn(c, s.opts.Link, uint64(n), s.quit)
				defer lc.Close()
				conn = lc
			}
			newPeerConn(s, conn, uint64(n)).serve()
		}()
	}
}

// track registers a connection so Close can close it, and numbers it from
// 1; false once closed.
func (s *Seeder) track(c net.Conn) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, false
	}
	s.conns[c] = struct{}{}
	s.accepted++
	return s.accepted, true
}

func (s *Seeder) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	c.Close()
}

func (s *Seeder) record(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *Seeder) violation(format string, args ...any) {
	s.record(func() { s.violations = append(s.violations, fmt.Sprintf(format, args...)) })
}

// Connections is how many connections the seeder accepted.
func (s *Seeder) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Handshakes returns the handshakes received, in order.
func (s *Seeder) Handshakes() []Handshake {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.handshakes)
}

// Requests returns every request received (all connections), in order.
func (s *Seeder) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Cancels returns every cancel received, in order.
func (s *Seeder) Cancels() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cancels)
}

// Messages returns the IDs of the messages received after the handshake,
// in order (keep-alives are not recorded). MessageName names them.
func (s *Seeder) Messages() []uint8 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// BlocksSent is how many piece messages the seeder sent (faulty ones too).
func (s *Seeder) BlocksSent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocksSent
}

// BlocksLost is how many requested blocks the seeder did not send
// (Link.LoseBlocks).
func (s *Seeder) BlocksLost() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocksLost
}

// ConnectionsLost is how many connections the seeder reset after a block
// (Link.LoseConnection).
func (s *Seeder) ConnectionsLost() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connsLost
}

// MaxQueued is the most requests one connection had waiting to be served
// at once: how deep the client pipelines (with BlockDelay set, requests
// pile up until the client stops sending more).
func (s *Seeder) MaxQueued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxQueued
}

// KeepAlivesReceived is how many keep-alives clients sent (all
// connections).
func (s *Seeder) KeepAlivesReceived() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keepAlives
}

// ExtensionHandshakes returns the extension handshakes (BEP 10) clients
// sent, in order.
func (s *Seeder) ExtensionHandshakes() []ExtensionHandshake {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.extHandshakes)
}

// MetadataRequests returns the metadata pieces clients requested (BEP 9
// msg_type 0, sent with the seeder's ut_metadata id), in order.
func (s *Seeder) MetadataRequests() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.metadataRequests)
}

// Violations lists what clients did against the protocol: a handshake for
// another torrent, bytes sent right behind the handshake before the
// seeder's (BEP 3 allows them, aria2 bans the peer), a request while choked, out of range or over 16 KiB, a
// request for a piece not announced, malformed messages; and for the
// extension protocol: extended messages without the extension bit, a
// malformed extension handshake, a ut_metadata message sent with an id the
// seeder did not choose, a metadata request out of range.
func (s *Seeder) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}
