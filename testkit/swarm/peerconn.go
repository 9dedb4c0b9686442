package swarm

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"syscall"
	"time"
)

const (
	handshakeTimeout = 10 * time.Second // a client that connects and says nothing
	writeTimeout     = 10 * time.Second // a client that stops reading
	defaultHaveDelay = 100 * time.Millisecond
	defaultChokeFor  = 100 * time.Millisecond
	// strayQuiet is how long UnrequestedAlignedBlock waits after the
	// client's last message before its stray blocks: by then the client
	// has sent the requests it will send until blocks come.
	strayQuiet = 50 * time.Millisecond
)

// peerConn is one connection of a seeder. serve runs in one goroutine and
// does all the writing; a reader goroutine turns the bytes the client sends
// into messages on in.
type peerConn struct {
	s    *Seeder
	opts Options
	c    net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	in   chan inbound
	done chan struct{}

	has          []bool    // pieces announced so far
	choking      bool      // we choke the client
	everUnchoked bool      // a request while choked is only a violation before the first unchoke
	stuck        bool      // never unchoke again, never send another block
	queue        []Request // requests to serve, oldest first
	served       int       // blocks served on this connection
	rechoked     bool      // ChokeMidPieceThenUnchoke happened
	nextBlock    time.Time // BlockDelay: no block before this
	scratch      []byte
	rng          *rand.Rand // Link's losses

	// For UnrequestedAlignedBlock: what the client asked for on this
	// connection, and when it last said anything.
	asked       map[[2]int]bool // index, begin
	lastAsked   Request
	lastInbound time.Time
	straysSent  bool

	// The extension protocol (BEP 10).
	clientExt        bool // the client set the extension bit
	extSent          bool // the seeder sent its extension handshake
	clientMetadataID byte // the client's ut_metadata id; 0: none yet
}

type inbound struct {
	m   *message
	err error
}

// newPeerConn serves connection number n of s.
func newPeerConn(s *Seeder, c net.Conn, n uint64) *peerConn {
	return &peerConn{
		rng: rand.New(rand.NewPCG(s.opts.Link.Seed, n)),
		s:   s, opts: s.opts, c: c,
		r:       bufio.NewReaderSize(c, 64<<10),
		w:       bufio.NewWriterSize(c, 64<<10),
		in:      make(chan inbound, 64),
		done:    make(chan struct{}),
		choking: true,
		asked:   map[[2]int]bool{},
	}
}

// serve runs the connection until the client leaves, a fault ends it or
// the seeder closes.
func (p *peerConn) serve() {
	defer close(p.done)
	if !p.handshake() {
		return
	}
	p.messages()
}

// handshake reads the client's handshake and answers it as the fault says.
// It reports whether the connection goes on to messages.
func (p *peerConn) handshake() bool {
	s := p.s
	p.c.SetReadDeadline(time.Now().Add(handshakeTimeout))
	h, err := readHandshake(p.r)
	if err != nil {
		if !isClosed(err) {
			s.violation("%v", err)
		}
		return false
	}
	p.c.SetReadDeadline(time.Time{})
	s.record(func() { s.handshakes = append(s.handshakes, h) })
	p.clientExt = h.SupportsExtensions()
	switch {
	case h.Protocol != protocol:
		s.violation("handshake: protocol %q, want %q", h.Protocol, protocol)
		return false
	case h.InfoHash != s.content.InfoHash:
		s.violation("handshake: info hash %x is not the seeded torrent's %x", h.InfoHash, s.content.InfoHash)
		return false
	}

	// BEP 3 lets a client send messages right behind its handshake, but
	// aria2 1.36 drops and bans a peer whose handshake comes with more
	// bytes behind it: a client must wait for our handshake first.
	if n := p.r.Buffered(); n > 0 {
		s.violation("%d bytes right behind the client's handshake, before ours: aria2 drops such a peer", n)
	}
	reply := encodeHandshake(protocol, p.reserved(), s.content.InfoHash, s.peerID)
	switch p.opts.Fault {
	case NoHandshakeReply:
		io.Copy(io.Discard, p.r) // until the client or Close ends it
		return false
	case CloseBeforeHandshake:
		return false
	case ResetBeforeHandshake:
		p.reset()
		return false
	case ShortHandshake:
		p.write(reply[:40])
		return false
	case WrongInfoHash:
		wrong := s.content.InfoHash
		wrong[0] ^= 0xFF
		p.write(encodeHandshake(protocol, p.reserved(), wrong, s.peerID))
		io.Copy(io.Discard, p.r)
		return false
	case WrongProtocol:
		p.write(encodeHandshake("BitTorrent Protocol", p.reserved(), s.content.InfoHash, s.peerID))
		io.Copy(io.Discard, p.r)
		return false
	case CloseAfterHandshake:
		p.write(reply)
		return false
	case ResetAfterHandshake:
		p.write(reply)
		// Let the reply leave first (wait for the client's next bytes or
		// 200ms), then reset: SO_LINGER 0 makes Close send RST, not FIN.
		p.c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		p.r.ReadByte()
		p.reset()
		return false
	}
	return p.write(reply) == nil
}

// reset makes the coming Close send RST instead of FIN (SO_LINGER 0).
func (p *peerConn) reset() {
	if tc, ok := p.c.(interface{ SetLinger(int) error }); ok {
		tc.SetLinger(0)
	}
}

// messages runs the message phase: announce pieces, then serve requests.
func (p *peerConn) messages() {
	n := p.s.content.NumPieces()
	p.has = make([]bool, n)
	for i := range p.has {
		p.has[i] = true
	}
	for _, i := range slices.Concat(p.opts.Missing, p.opts.LateHaves) {
		p.has[i] = false
	}
	if p.greet() != nil {
		return
	}

	p.s.wg.Add(1)
	go p.readLoop()

	var haveTimer, unchokeTimer, blockTimer *time.Timer
	defer func() {
		for _, t := range []*time.Timer{haveTimer, unchokeTimer, blockTimer} {
			if t != nil {
				t.Stop()
			}
		}
	}()
	if len(p.opts.LateHaves) > 0 {
		haveTimer = time.NewTimer(orDefault(p.opts.HaveDelay, defaultHaveDelay))
	}
	for {
		// Everything already received goes first, so a cancel wins over
		// serving the block it cancels.
		for drained := false; !drained; {
			select {
			case in := <-p.in:
				if !p.handle(in) {
					return
				}
			default:
				drained = true
			}
		}
		if p.canServe() {
			if wait := time.Until(p.serveAt()); wait > 0 {
				if blockTimer == nil {
					blockTimer = time.NewTimer(wait)
				}
			} else {
				if !p.serveBlock(&unchokeTimer) {
					return
				}
				continue
			}
		}
		if p.flush() != nil {
			return
		}
		select {
		case in := <-p.in:
			if !p.handle(in) {
				return
			}
		case <-timerC(haveTimer):
			haveTimer = nil
			if p.sendLateHaves() != nil {
				return
			}
		case <-timerC(unchokeTimer):
			unchokeTimer = nil
			if p.unchoke() != nil {
				return
			}
		case <-timerC(blockTimer):
			blockTimer = nil
		case <-p.s.quit:
			return
		}
	}
}

// greet sends what a seeder says before it is asked anything: its
// bitfield, its extension handshake (BEP 10) to a client that set the
// extension bit, and an unchoke with Options.UnchokeEarly, in the order the
// fault says.
func (p *peerConn) greet() error {
	ext := p.sendsExtensionHandshake()
	if ext && p.opts.Fault == ExtensionHandshakeBeforeBitfield {
		if err := p.sendExtensionHandshake(); err != nil {
			return err
		}
	}
	if err := p.sendBitfield(); err != nil {
		return err
	}
	if p.opts.Fault == ExtensionHandshakeAfterUnchoke {
		if err := p.unchoke(); err != nil {
			return err
		}
		if err := p.send(haveMessage(0)); err != nil {
			return err
		}
		if err := p.send(nil); err != nil { // a keep-alive
			return err
		}
	}
	if ext && !p.extSent {
		if err := p.sendExtensionHandshake(); err != nil {
			return err
		}
	}
	if p.opts.UnchokeEarly && p.opts.Fault != NeverUnchoke && p.choking {
		return p.unchoke()
	}
	return nil
}

func (p *peerConn) readLoop() {
	defer p.s.wg.Done()
	for {
		m, err := readMessage(p.r)
		select {
		case p.in <- inbound{m, err}:
		case <-p.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// handle acts on one received message; false ends the connection.
func (p *peerConn) handle(in inbound) bool {
	s := p.s
	if in.err != nil {
		if !isClosed(in.err) {
			s.violation("%v", in.err)
		}
		return false
	}
	p.lastInbound = time.Now()
	if in.m == nil {
		s.record(func() { s.keepAlives++ })
		return true
	}
	m := in.m
	s.record(func() { s.messages = append(s.messages, m.id) })
	switch m.id {
	case msgInterested:
		s.record(func() { s.interesteds++ })
		if p.choking && !p.stuck && p.opts.Fault != NeverUnchoke {
			return p.unchoke() == nil
		}
	case msgHave:
		if len(m.payload) != 4 {
			s.violation("have payload of %d bytes, want 4", len(m.payload))
			return false
		}
	case msgBitfield:
		if want := (len(p.has) + 7) / 8; len(m.payload) != want {
			s.violation("bitfield of %d bytes, want %d", len(m.payload), want)
			return false
		}
	case msgRequest:
		return p.request(m.payload)
	case msgCancel:
		r, err := parseRequest(m.payload)
		if err != nil {
			s.violation("cancel: %v", err)
			return false
		}
		s.record(func() { s.cancels = append(s.cancels, r) })
		p.queue = slices.DeleteFunc(p.queue, func(q Request) bool { return q == r })
	case msgPiece:
		s.violation("piece message sent to a seeder")
	case msgExtended:
		return p.extended(m.payload)
	}
	return true // choke, unchoke, not interested, extensions: nothing to do
}

// request checks a request and queues it.
func (p *peerConn) request(payload []byte) bool {
	s := p.s
	r, err := parseRequest(payload)
	if err != nil {
		s.violation("request: %v", err)
		return false
	}
	s.record(func() { s.requests = append(s.requests, r) })
	p.asked[[2]int{r.Index, r.Begin}] = true
	p.lastAsked = r
	if p.choking {
		// Requests already on the wire when we choked are innocent.
		if !p.everUnchoked {
			s.violation("request %+v while choked", r)
		}
		return true
	}
	if r.Index >= len(p.has) || r.Length <= 0 || r.Length > maxBlock ||
		int64(r.Begin)+int64(r.Length) > s.content.PieceSize(r.Index) {
		s.violation("request %+v out of range or over %d bytes", r, maxBlock)
		return false
	}
	if !p.has[r.Index] {
		s.violation("request %+v for a piece not announced", r)
		return false
	}
	if p.stuck {
		return true
	}
	if p.opts.Fault == HugeLength {
		// 0xFFFFFFFF then the start of a "piece" message, and silence.
		p.stuck = true
		huge := binary.BigEndian.AppendUint32(nil, 0xFFFFFFFF)
		return p.write(append(huge, msgPiece, 0, 0, 0, 0)) == nil
	}
	p.queue = append(p.queue, r)
	s.record(func() { s.maxQueued = max(s.maxQueued, len(p.queue)) })
	return true
}

func (p *peerConn) canServe() bool {
	return len(p.queue) > 0 && !p.choking && !p.stuck
}

// serveAt is when the next block may go: after BlockDelay, and for
// UnrequestedAlignedBlock not before the client has gone quiet.
func (p *peerConn) serveAt() time.Time {
	if p.opts.Fault == UnrequestedAlignedBlock && !p.straysSent {
		return p.lastInbound.Add(strayQuiet)
	}
	return p.nextBlock
}

// sendStrays sends Options.StrayBlocks garbage blocks at block boundaries
// the client never asked for on this connection (UnrequestedAlignedBlock),
// round and round. The first ones are the blocks a client fetching whole
// pieces holds a buffer for but has not asked for yet: the rest of a piece
// it asked part of. Then the blocks after its last request, in order.
func (p *peerConn) sendStrays() error {
	c := p.s.content
	type at struct{ index, begin int }
	var partial, free []at
	for i := range c.NumPieces() {
		var unasked []at
		for b := 0; int64(b) < c.PieceSize(i); b += maxBlock {
			if !p.asked[[2]int{i, b}] {
				unasked = append(unasked, at{i, b})
			}
		}
		if len(unasked) > 0 && int64(len(unasked)*maxBlock) < c.PieceSize(i) {
			partial = append(partial, unasked...)
		}
		free = append(free, unasked...)
	}
	if len(free) == 0 {
		return nil // the client asked for everything
	}
	after, _ := slices.BinarySearchFunc(free, p.lastAsked, func(a at, r Request) int {
		return cmp.Or(cmp.Compare(a.index, r.Index), cmp.Compare(a.begin, r.Begin))
	})
	order := slices.Concat(partial, slices.DeleteFunc(slices.Concat(free[after:], free[:after]), func(a at) bool {
		return slices.Contains(partial, a)
	}))
	for n := range max(p.opts.StrayBlocks, 1) {
		a := order[n%len(order)]
		length := int(min(int64(maxBlock), c.PieceSize(a.index)-int64(a.begin)))
		data, err := c.block(a.index, a.begin, length)
		if err != nil {
			return err
		}
		if err := p.sendBlock(a.index, a.begin, garbage(data)); err != nil {
			return err
		}
	}
	return nil
}

// serveBlock sends the oldest queued block, or does the fault that takes
// its place; false ends the connection.
func (p *peerConn) serveBlock(unchokeTimer **time.Timer) bool {
	if p.served == 1 {
		switch f := p.opts.Fault; {
		case f == DisconnectMidPiece:
			p.flush()
			return false
		case f == ChokeMidPiece, f == ChokeMidPieceThenUnchoke && !p.rechoked:
			p.rechoked = true
			p.queue = nil // BEP 3: a choke discards the pending requests
			p.choking = true
			if f == ChokeMidPiece {
				p.stuck = true
			} else {
				*unchokeTimer = time.NewTimer(orDefault(p.opts.ChokeFor, defaultChokeFor))
			}
			return p.send(&message{id: msgChoke}) == nil
		}
	}
	if p.opts.Fault == UnrequestedAlignedBlock && !p.straysSent {
		p.straysSent = true
		if p.sendStrays() != nil {
			return false
		}
	}
	r := p.queue[0]
	p.queue = p.queue[1:]
	p.served++
	if p.opts.BlockDelay > 0 {
		p.nextBlock = time.Now().Add(p.opts.BlockDelay)
	}
	data, err := p.s.content.block(r.Index, r.Begin, r.Length)
	if err != nil {
		p.s.violation("seeder: %v", err) // the test's content is broken
		return false
	}
	if p.opts.Fault == UnrequestedBlock {
		if p.sendBlock(r.Index, r.Begin+1, garbage(data)) != nil {
			return false
		}
	}
	if p.opts.Fault == CorruptBlock {
		data[0] ^= 0xFF
	}
	if p.lose(p.opts.Link.LoseBlocks) {
		p.s.record(func() { p.s.blocksLost++ })
		return true
	}
	if p.sendBlock(r.Index, r.Begin, data) != nil {
		return false
	}
	if p.lose(p.opts.Link.LoseConnection) {
		p.s.record(func() { p.s.connsLost++ })
		p.flush()
		p.reset()
		return false
	}
	if p.opts.Fault == DuplicateBlock {
		return p.sendBlock(r.Index, r.Begin, garbage(data)) == nil
	}
	return true
}

func (p *peerConn) sendBlock(index, begin int, data []byte) error {
	p.s.record(func() { p.s.blocksSent++ })
	// Header and block straight into the buffered writer: no copy of the
	// block into a message first (seeders must keep up with benchmarks).
	if p.opts.KeepAlives {
		p.scratch = appendMessage(p.scratch[:0], nil)
	} else {
		p.scratch = p.scratch[:0]
	}
	p.scratch = binary.BigEndian.AppendUint32(p.scratch, uint32(9+len(data)))
	p.scratch = append(p.scratch, msgPiece)
	p.scratch = binary.BigEndian.AppendUint32(p.scratch, uint32(index))
	p.scratch = binary.BigEndian.AppendUint32(p.scratch, uint32(begin))
	p.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := p.w.Write(p.scratch); err != nil {
		return err
	}
	_, err := p.w.Write(data)
	return err
}

// lose draws whether a loss of the given chance happens now.
func (p *peerConn) lose(chance float64) bool {
	return chance > 0 && p.rng.Float64() < chance
}

// garbage returns data with every byte inverted: same size, all different.
func garbage(data []byte) []byte {
	g := bytes.Clone(data)
	for i := range g {
		g[i] ^= 0xFF
	}
	return g
}

func (p *peerConn) sendBitfield() error {
	n := len(p.has)
	bf := bitfield(n, func(i int) bool { return p.has[i] })
	switch p.opts.Fault {
	case BitfieldWrongSize:
		bf = append(bf, 0)
	case BitfieldSpareBits:
		bf[len(bf)-1] |= 0xFF >> (n % 8) // the bits after the last piece
	}
	if !slices.Contains(p.has, true) && p.opts.Fault != BitfieldWrongSize && p.opts.Fault != BitfieldSpareBits {
		return nil // BEP 3: a peer with no pieces may skip the bitfield
	}
	return p.send(&message{id: msgBitfield, payload: bf})
}

func (p *peerConn) sendLateHaves() error {
	for _, i := range p.opts.LateHaves {
		p.has[i] = true
		if err := p.send(haveMessage(i)); err != nil {
			return err
		}
	}
	return nil
}

func (p *peerConn) unchoke() error {
	p.choking = false
	p.everUnchoked = true
	return p.send(&message{id: msgUnchoke})
}

// send buffers one message (nil: keep-alive), preceded by a keep-alive when
// Options.KeepAlives is set. flush sends the buffer.
func (p *peerConn) send(m *message) error {
	p.scratch = p.scratch[:0]
	if p.opts.KeepAlives && m != nil {
		p.scratch = appendMessage(p.scratch, nil)
	}
	p.scratch = appendMessage(p.scratch, m)
	p.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := p.w.Write(p.scratch)
	return err
}

func (p *peerConn) flush() error {
	p.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	return p.w.Flush()
}

// write sends raw bytes at once (handshake phase).
func (p *peerConn) write(b []byte) error {
	if _, err := p.w.Write(b); err != nil {
		return err
	}
	return p.flush()
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

// orDefault returns d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// isClosed reports whether err is just the end of the connection, not
// something the client did wrong.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, os.ErrDeadlineExceeded)
}
