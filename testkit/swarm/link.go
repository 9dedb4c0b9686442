package swarm

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// Link shapes a seeder's connections like a path across the internet
// instead of loopback: a delay each way, an upload rate, and losses. It is
// done in the seeder itself (no kernel tools, no root), so a test of it runs
// on any machine. The zero value is loopback as it is.
type Link struct {
	// Delay is the one-way delay, applied to what the seeder sends and to
	// what it receives: a request is answered a round trip (2×Delay) plus
	// the block's time on the wire after it was sent. Bytes in flight are
	// not serialised: like a real pipe, the link holds a round trip's worth
	// of data, so a seeder far away still reaches Rate when the client
	// keeps enough requests outstanding (the bandwidth-delay product).
	Delay time.Duration
	// Jitter adds up to this much more delay, at random, to every chunk of
	// bytes; the order of the bytes is kept, as TCP keeps it.
	Jitter time.Duration
	// Rate is the most bytes per second the seeder sends (its upload
	// rate); 0 is no limit.
	Rate int64
	// LoseBlocks is the chance that a requested block is never sent: the
	// request is dropped silently, as a busy peer may drop requests.
	LoseBlocks float64
	// LoseConnection is the chance, after each block sent, that the seeder
	// resets the connection.
	LoseConnection float64
	// Seed seeds the randomness (jitter, losses): the same seed and the
	// same client give the same run. Each connection gets its own stream.
	Seed uint64
}

func (l Link) validate() error {
	switch {
	case l.Delay < 0 || l.Jitter < 0 || l.Rate < 0:
		return fmt.Errorf("swarm: link delay, jitter and rate must not be negative: %+v", l)
	case l.LoseBlocks < 0 || l.LoseBlocks > 1 || l.LoseConnection < 0 || l.LoseConnection > 1:
		return fmt.Errorf("swarm: link losses must be between 0 and 1: %+v", l)
	}
	return nil
}

// shaped reports whether the connection's bytes need to go through a
// linkConn (losses are the seeder's doing, not the bytes').
func (l Link) shaped() bool { return l.Delay > 0 || l.Jitter > 0 || l.Rate > 0 }

const (
	// linkChunk is the most bytes timed as one unit: one block.
	linkChunk = 16 << 10
	// linkBurst is how far the rate limiter lets a sender catch up after a
	// pause it did not choose (a late wake-up on a busy machine): the rate
	// holds over any stretch of time, give or take this much.
	linkBurst = 50 * time.Millisecond
	// linkQueue bounds the chunks in flight each way (16 MiB).
	linkQueue = 1024
)

// chunk is bytes in flight: they reach the other end at due.
type chunk struct {
	data []byte
	due  time.Time
	err  error // the read that ended the stream (inbound only)
}

// linkConn is a net.Conn whose bytes go through a Link. Two goroutines move
// them: one writes to the real connection each chunk the seeder wrote once
// it is due, the other reads what the client sends and holds it back until
// it is due. Close stops both.
type linkConn struct {
	net.Conn // the real connection
	link     Link
	quit     <-chan struct{} // the seeder closes

	out      chan chunk
	outDone  chan struct{} // the writer goroutine ended
	outErr   error         // why it ended early; read after outDone
	nextFree time.Time     // when the wire is free for the next chunk
	wrng     *rand.Rand

	in       chan chunk
	closed   chan struct{}
	rbuf     []byte
	rerr     error
	mu       sync.Mutex
	deadline time.Time // read deadline

	closeOnce sync.Once
	wg        sync.WaitGroup
}

func newLinkConn(c net.Conn, l Link, conn uint64, quit <-chan struct{}) *linkConn {
	lc := &linkConn{
		Conn: c, link: l, quit: quit,
		out: make(chan chunk, linkQueue), outDone: make(chan struct{}),
		in: make(chan chunk, linkQueue), closed: make(chan struct{}),
		wrng: rand.New(rand.NewPCG(l.Seed, 2*conn)),
	}
	lc.wg.Add(2)
	go lc.writeLoop()
	go lc.readLoop(rand.New(rand.NewPCG(l.Seed, 2*conn+1)))
	return lc
}

// delay is the time a chunk spends on the way: Delay plus jitter.
func (lc *linkConn) delay(r *rand.Rand) time.Duration {
	d := lc.link.Delay
	if lc.link.Jitter > 0 {
		d += time.Duration(r.Int64N(int64(lc.link.Jitter)))
	}
	return d
}

// Write puts b on the link: chunk by chunk it waits for the wire to be free
// at Rate, then sends the chunk on its way, due after the delay. It blocks
// only for the rate, like a socket whose buffer holds what is in flight.
func (lc *linkConn) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		size := min(len(b), linkChunk)
		now := time.Now()
		start := now
		if lc.link.Rate > 0 {
			start = later(lc.nextFree, now.Add(-linkBurst))
			lc.nextFree = start.Add(time.Duration(int64(size) * int64(time.Second) / lc.link.Rate))
			if err := lc.sleepUntil(start); err != nil {
				return n, err
			}
			start = lc.nextFree // the last byte is on the wire
		}
		c := chunk{data: append([]byte(nil), b[:size]...), due: start.Add(lc.delay(lc.wrng))}
		select {
		case lc.out <- c:
		case <-lc.outDone:
			return n, lc.outErr
		case <-lc.closed:
			return n, net.ErrClosed
		}
		n += size
		b = b[size:]
	}
	return n, nil
}

// sleepUntil waits until t, or fails when the connection ends first.
func (lc *linkConn) sleepUntil(t time.Time) error {
	wait := time.Until(t)
	if wait <= 0 {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-lc.outDone:
		return lc.outErr
	case <-lc.closed:
		return net.ErrClosed
	case <-lc.quit:
		return net.ErrClosed
	}
}

func (lc *linkConn) writeLoop() {
	defer lc.wg.Done()
	defer close(lc.outDone)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		var c chunk
		var ok bool
		select {
		case c, ok = <-lc.out:
		case <-lc.quit:
			lc.outErr = net.ErrClosed
			return
		}
		if !ok {
			return // closed: everything in flight was delivered
		}
		if wait := time.Until(c.due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-lc.quit:
				lc.outErr = net.ErrClosed
				return
			}
		}
		lc.Conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := lc.Conn.Write(c.data); err != nil {
			lc.outErr = err
			return
		}
	}
}

// readLoop reads what the client sends and passes it on, due after the
// delay.
func (lc *linkConn) readLoop(r *rand.Rand) {
	defer lc.wg.Done()
	for {
		buf := make([]byte, 32<<10)
		n, err := lc.Conn.Read(buf)
		c := chunk{data: buf[:n], due: time.Now().Add(lc.delay(r)), err: err}
		select {
		case lc.in <- c:
		case <-lc.closed:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the client's bytes once they are due. It honours the read
// deadline that was set when it started.
func (lc *linkConn) Read(b []byte) (int, error) {
	lc.mu.Lock()
	deadline := lc.deadline
	lc.mu.Unlock()
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	for len(lc.rbuf) == 0 {
		if lc.rerr != nil {
			return 0, lc.rerr
		}
		var c chunk
		select {
		case c = <-lc.in:
		case <-expired:
			return 0, os.ErrDeadlineExceeded
		case <-lc.closed:
			return 0, net.ErrClosed
		}
		if wait := time.Until(c.due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-lc.closed:
				t.Stop()
				return 0, net.ErrClosed
			case <-lc.quit:
				t.Stop()
				return 0, net.ErrClosed
			}
		}
		lc.rbuf, lc.rerr = c.data, c.err
	}
	n := copy(b, lc.rbuf)
	lc.rbuf = lc.rbuf[n:]
	return n, nil
}

// SetReadDeadline sets the deadline of the next Read.
func (lc *linkConn) SetReadDeadline(t time.Time) error {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.deadline = t
	return nil
}

// SetWriteDeadline does nothing: the writer goroutine bounds every write
// to the real connection by writeTimeout itself.
func (lc *linkConn) SetWriteDeadline(time.Time) error { return nil }

// SetLinger is the real connection's, for the faults that reset it.
func (lc *linkConn) SetLinger(sec int) error {
	if tc, ok := lc.Conn.(*net.TCPConn); ok {
		return tc.SetLinger(sec)
	}
	return nil
}

// Close delivers what is still in flight (unless the seeder closes), then
// closes the real connection, as a TCP close sends its data before the FIN.
func (lc *linkConn) Close() error {
	var err error
	lc.closeOnce.Do(func() {
		close(lc.out)
		<-lc.outDone
		close(lc.closed)
		err = lc.Conn.Close()
		lc.wg.Wait()
	})
	return err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
