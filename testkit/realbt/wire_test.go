package realbt_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A minimal BitTorrent peer (BEP 3), written here independently of the
// workbook's own peer package, so these tests check the real programs and
// the harness, not the code under study.

const (
	msgChoke      = 0
	msgUnchoke    = 1
	msgInterested = 2
	msgRequest    = 6
	msgPiece      = 7

	blockSize  = 16 * 1024
	maxMessage = 1 << 20 // far above a 16 KiB block; a bigger prefix is a broken peer
)

// wirePeer is an open, handshaken connection to a seeder.
type wirePeer struct {
	conn   net.Conn
	PeerID [20]byte
}

// dialPeer connects to addr and exchanges the 68-byte handshake: 19,
// "BitTorrent protocol", 8 reserved bytes (all zero: no extensions, so the
// seeder sends none of its extension messages), info hash, peer id.
func dialPeer(t *testing.T, addr string, infoHash [20]byte) *wirePeer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err, "connect to seeder %s", addr)
	t.Cleanup(func() { _ = conn.Close() })

	var ourID [20]byte
	copy(ourID[:], "-RB0001-")
	_, err = rand.Read(ourID[8:])
	require.NoError(t, err)

	hs := make([]byte, 0, 68)
	hs = append(hs, 19)
	hs = append(hs, "BitTorrent protocol"...)
	hs = append(hs, make([]byte, 8)...)
	hs = append(hs, infoHash[:]...)
	hs = append(hs, ourID[:]...)
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = conn.Write(hs)
	require.NoError(t, err, "send handshake to %s", addr)

	reply := make([]byte, 68)
	_, err = io.ReadFull(conn, reply)
	require.NoError(t, err, "read handshake reply from %s", addr)
	require.Equal(t, byte(19), reply[0], "pstrlen")
	require.Equal(t, "BitTorrent protocol", string(reply[1:20]))
	require.Equal(t, infoHash[:], reply[28:48], "info hash in the reply")
	p := &wirePeer{conn: conn}
	copy(p.PeerID[:], reply[48:68])
	return p
}

// send writes one length-prefixed message.
func (p *wirePeer) send(t *testing.T, id byte, payload []byte) {
	t.Helper()
	msg := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)))
	msg = append(msg, id)
	msg = append(msg, payload...)
	require.NoError(t, p.conn.SetWriteDeadline(time.Now().Add(10*time.Second)))
	_, err := p.conn.Write(msg)
	require.NoError(t, err, "send message %d", id)
}

// read returns the next message that is not a keep-alive, waiting until
// deadline.
func (p *wirePeer) read(deadline time.Time) (id byte, payload []byte, err error) {
	if err := p.conn.SetReadDeadline(deadline); err != nil {
		return 0, nil, err
	}
	for {
		var prefix [4]byte
		if _, err := io.ReadFull(p.conn, prefix[:]); err != nil {
			return 0, nil, err
		}
		n := binary.BigEndian.Uint32(prefix[:])
		if n == 0 {
			continue // keep-alive
		}
		if n > maxMessage {
			return 0, nil, fmt.Errorf("message length %d over %d", n, maxMessage)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(p.conn, buf); err != nil {
			return 0, nil, err
		}
		return buf[0], buf[1:], nil
	}
}

// awaitUnchoke says "interested" and reads until the seeder unchokes us,
// returning how long that took. Bitfield, have and other messages are
// skipped; we have nothing, so nothing in them needs an answer.
func (p *wirePeer) awaitUnchoke(t *testing.T, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	p.send(t, msgInterested, nil)
	for {
		id, _, err := p.read(start.Add(timeout))
		require.NoError(t, err, "waiting for unchoke (sent interested %v ago)", time.Since(start).Round(time.Millisecond))
		if id == msgUnchoke {
			return time.Since(start)
		}
	}
}

// fetchBlock requests one block and returns its bytes. It fails on a choke
// before the block arrives, or a piece message for another block.
func (p *wirePeer) fetchBlock(t *testing.T, index, begin, length int) []byte {
	t.Helper()
	req := binary.BigEndian.AppendUint32(nil, uint32(index))
	req = binary.BigEndian.AppendUint32(req, uint32(begin))
	req = binary.BigEndian.AppendUint32(req, uint32(length))
	p.send(t, msgRequest, req)
	deadline := time.Now().Add(15 * time.Second)
	for {
		id, payload, err := p.read(deadline)
		require.NoError(t, err, "waiting for block %d/%d", index, begin)
		switch id {
		case msgChoke:
			t.Fatalf("seeder choked us before sending block %d/%d", index, begin)
		case msgPiece:
			require.GreaterOrEqual(t, len(payload), 8, "piece message too short")
			wantHead := binary.BigEndian.AppendUint32(nil, uint32(index))
			wantHead = binary.BigEndian.AppendUint32(wantHead, uint32(begin))
			require.True(t, bytes.Equal(wantHead, payload[:8]), "piece message for another block: % x", payload[:8])
			return payload[8:]
		}
	}
}
