package peer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Timeouts are the time limits for talking to one peer, all in one place:
// a command sets them once for Dial and everything that reads and writes
// the connection. A zero field means its default (see WithDefaults).
type Timeouts struct {
	// Handshake bounds connecting and the handshake together. A peer on
	// the internet that is there at all answers within a second or two;
	// waiting longer only delays trying the next one.
	Handshake time.Duration
	// Read bounds each wait for a message: a peer we wait on for blocks
	// answers far sooner than BEP 3's two minutes between keep-alives.
	Read  time.Duration
	Write time.Duration // bounds each send
}

// WithDefaults returns t with every zero field set to its default: 10 s to
// connect and shake hands, 30 s to read, 10 s to write.
func (t Timeouts) WithDefaults() Timeouts {
	t.Handshake = cmp.Or(t.Handshake, 10*time.Second)
	t.Read = cmp.Or(t.Read, 30*time.Second)
	t.Write = cmp.Or(t.Write, 10*time.Second)
	return t
}

// Conn is an open connection to a peer, past the handshake. Every read and
// write has a deadline, and every message's length is capped before it is
// read. The fields may be changed before use.
type Conn struct {
	PeerID     [20]byte      // the peer's id, from its handshake
	Reserved   [8]byte       // the peer's reserved bytes: the extensions it speaks
	Timeouts   Timeouts      // Dial's, with the defaults filled in
	MaxMessage uint32        // length cap (MaxPieceMessage; see MaxMessageLength)
	RoundTrip  time.Duration // from our handshake sent to theirs read: one round trip

	nc net.Conn
}

// Dial connects to the peer at addr ("ip:port") and exchanges handshakes for
// the torrent infoHash, introducing this client as peerID. It gives up after
// limits.Handshake, or sooner when ctx ends. A peer that answers for
// another torrent gives an error wrapping ErrInfoHashMismatch; one that is
// not speaking BitTorrent, ErrNotBitTorrent.
func Dial(ctx context.Context, addr string, infoHash, peerID [20]byte, limits Timeouts) (*Conn, error) {
	return DialHandshake(ctx, addr, Handshake{InfoHash: infoHash, PeerID: peerID}, limits)
}

// DialHandshake is Dial with our handshake given whole: its Reserved bytes
// announce the extensions we speak (Dial sends zeros).
func DialHandshake(ctx context.Context, addr string, ours Handshake, limits Timeouts) (*Conn, error) {
	limits = limits.WithDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, limits.Handshake, fmt.Errorf("no answer within %v", limits.Handshake))
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	c := &Conn{nc: nc, Timeouts: limits, MaxMessage: MaxPieceMessage}
	if err := c.handshake(ctx, ours); err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake with %s: %w", addr, err)
	}
	return c, nil
}

// handshake sends ours, reads theirs and checks it is for our torrent.
func (c *Conn) handshake(ctx context.Context, ours Handshake) error {
	// ctx has a deadline (Dial set one). A cancelled ctx (Ctrl-C) moves the
	// connection's deadline to now, which wakes a blocked read at once.
	deadline, _ := ctx.Deadline()
	c.nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()

	b, err := ours.MarshalBinary()
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("send handshake: %w", explain(ctx, err))
	}
	theirs, err := ReadHandshake(c.nc)
	if err != nil {
		return explain(ctx, err)
	}
	c.RoundTrip = time.Since(start)
	if theirs.InfoHash != ours.InfoHash {
		return fmt.Errorf("%w: peer answered for %x, we asked for %x", ErrInfoHashMismatch, theirs.InfoHash, ours.InfoHash)
	}
	c.PeerID, c.Reserved = theirs.PeerID, theirs.Reserved
	c.nc.SetDeadline(time.Time{})
	return nil
}

// explain turns an expired deadline into the reason it expired: ctx was
// cancelled or ran out (Dial's limit, or the caller's).
func explain(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		<-ctx.Done() // its deadline has passed: it is done or about to be
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return err
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// ReadMessage reads the next message (nil: keep-alive) within
// Timeouts.Read, refusing a length over MaxMessage before allocating.
func (c *Conn) ReadMessage() (*Message, error) {
	c.nc.SetReadDeadline(time.Now().Add(c.Timeouts.Read))
	m, err := ReadMessage(c.nc, c.MaxMessage)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, fmt.Errorf("peer sent nothing for %v: %w", c.Timeouts.Read, err)
	}
	return m, err
}

// WriteMessages sends messages (nil: a keep-alive) in one write (one TCP
// segment for a batch of requests), within Timeouts.Write.
func (c *Conn) WriteMessages(ms ...*Message) error {
	var b []byte
	for _, m := range ms {
		b = AppendMessage(b, m)
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.Timeouts.Write))
	if _, err := c.nc.Write(b); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("peer took no data for %v: %w", c.Timeouts.Write, err)
		}
		return fmt.Errorf("write %d messages: %w", len(ms), err)
	}
	return nil
}
