package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Time limits for reaching a peer. A peer on the internet connects and
// answers within a second or two when it is there at all; waiting longer
// only delays trying the next one.
const (
	DialTimeout      = 5 * time.Second
	HandshakeTimeout = 5 * time.Second
)

// Time limits for messages, once connected. BEP 3 peers send a keep-alive
// at least every two minutes, but one we are waiting on for blocks answers
// far sooner; 30 s of silence means it is gone or stuck.
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Conn is an open connection to a peer, past the handshake. Every read and
// write has a deadline, and every message's length is capped before it is
// read. The fields may be changed before use; zero means the default.
type Conn struct {
	PeerID   [20]byte // the peer's id, from its handshake
	Reserved [8]byte  // the peer's reserved bits (extensions it supports)

	ReadTimeout  time.Duration // longest wait for one message (DefaultReadTimeout)
	WriteTimeout time.Duration // longest wait to send (DefaultWriteTimeout)
	MaxMessage   uint32        // length cap (DefaultMaxMessage; see MaxMessageLength)

	nc net.Conn
}

// Dial connects to the peer at addr ("ip:port") and exchanges handshakes for
// the torrent infoHash, introducing this client as peerID. It gives up after
// DialTimeout to connect and HandshakeTimeout for the reply, or sooner when
// ctx ends. A peer that answers for another torrent gives an error wrapping
// ErrInfoHashMismatch; one that is not speaking BitTorrent, ErrProtocol.
func Dial(ctx context.Context, addr string, infoHash, peerID [20]byte) (*Conn, error) {
	d := net.Dialer{Timeout: DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	c := &Conn{nc: nc}
	if err := c.handshake(ctx, infoHash, peerID); err != nil {
		nc.Close()
		return nil, fmt.Errorf("handshake with %s: %w", addr, err)
	}
	return c, nil
}

// handshake sends ours, reads theirs and checks it is for our torrent.
func (c *Conn) handshake(ctx context.Context, infoHash, peerID [20]byte) error {
	// One deadline for both directions: the earlier of HandshakeTimeout and
	// ctx's deadline. A cancelled ctx (Ctrl-C) moves it to now, which wakes
	// a blocked read at once.
	deadline := time.Now().Add(HandshakeTimeout)
	d, ok := ctx.Deadline()
	ctxFirst := ok && d.Before(deadline)
	if ctxFirst {
		deadline = d
	}
	c.nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()

	ours, err := Handshake{InfoHash: infoHash, PeerID: peerID}.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := c.nc.Write(ours); err != nil {
		return fmt.Errorf("send handshake: %w", explain(ctx, ctxFirst, err))
	}
	theirs, err := ReadHandshake(c.nc)
	if err != nil {
		return explain(ctx, ctxFirst, err)
	}
	if theirs.InfoHash != infoHash {
		return fmt.Errorf("%w: peer answered for %x, we asked for %x", ErrInfoHashMismatch, theirs.InfoHash, infoHash)
	}
	c.PeerID, c.Reserved = theirs.PeerID, theirs.Reserved
	c.nc.SetDeadline(time.Time{})
	return nil
}

// explain turns an expired deadline into the reason it expired: ctx was
// cancelled or ran out (ctxFirst: its deadline was the one set), or the peer
// took longer than HandshakeTimeout.
func explain(ctx context.Context, ctxFirst bool, err error) error {
	timeout := errors.Is(err, os.ErrDeadlineExceeded)
	if timeout && ctxFirst {
		<-ctx.Done() // its deadline has passed: it is done or about to be
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	case timeout:
		return fmt.Errorf("no answer within %v: %w", HandshakeTimeout, err)
	}
	return err
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// ReadMessage reads the next message (nil: keep-alive) within ReadTimeout,
// refusing a length over MaxMessage before allocating.
func (c *Conn) ReadMessage() (*Message, error) {
	timeout := orDefault(c.ReadTimeout, DefaultReadTimeout)
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	maxLen := c.MaxMessage
	if maxLen == 0 {
		maxLen = DefaultMaxMessage
	}
	m, err := ReadMessage(c.nc, maxLen)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, fmt.Errorf("peer sent nothing for %v: %w", timeout, err)
	}
	return m, err
}

// WriteMessage sends one message within WriteTimeout.
func (c *Conn) WriteMessage(m *Message) error {
	return c.WriteMessages(m)
}

// WriteMessages sends several messages in one write (a batch of requests
// goes out in one TCP segment instead of one each) within WriteTimeout.
func (c *Conn) WriteMessages(ms ...*Message) error {
	var b []byte
	for _, m := range ms {
		b = AppendMessage(b, m)
	}
	timeout := orDefault(c.WriteTimeout, DefaultWriteTimeout)
	c.nc.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := c.nc.Write(b); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("peer took no data for %v: %w", timeout, err)
		}
		return fmt.Errorf("write %d messages: %w", len(ms), err)
	}
	return nil
}

// orDefault returns d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
