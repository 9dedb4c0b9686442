package swarm_test

import (
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/swarm"
)

// bigContent is 32 pieces of 32 KiB: 64 blocks, 1 MiB.
func bigContent(t *testing.T) swarm.Content {
	t.Helper()
	data := make([]byte, 32*pieceLen)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return swarm.NewContent(sha1.Sum([]byte("big torrent")), pieceLen, data)
}

// fetchPieces requests pieces 0..n-1 all at once, reads them back, checks
// them and returns how long that took.
func fetchPieces(t *testing.T, content swarm.Content, link swarm.Link, n int) time.Duration {
	t.Helper()
	s := swarm.Start(t, content, swarm.Options{Link: link})
	c := dial(t, s, content.InfoHash)
	c.ready()
	start := time.Now()
	for i := range n {
		c.requestPiece(content, i)
	}
	for i := range n {
		got := c.readPiece(content, i)
		want := make([]byte, content.PieceSize(i))
		_, err := content.Data.ReadAt(want, int64(i)*content.PieceLength)
		require.NoError(t, err)
		require.Equal(t, want, got, "piece %d", i)
	}
	elapsed := time.Since(start)
	require.NoError(t, s.Close())
	require.Empty(t, s.Violations())
	return elapsed
}

// TestLinkRateBoundsThroughput: a seeder limited to 1 MiB/s takes at least
// half a second for 512 KiB, however fast the machine. (Only the bound
// that a busy machine cannot break is checked: slower is always possible.)
func TestLinkRateBoundsThroughput(t *testing.T) {
	const rate = 1 << 20
	elapsed := fetchPieces(t, bigContent(t), swarm.Link{Rate: rate}, 16)
	require.GreaterOrEqual(t, elapsed, 400*time.Millisecond, "512 KiB at 1 MiB/s, give or take linkBurst")
}

// TestLinkDelayIsAPipe: with a 100 ms delay each way, 32 requests sent at
// once are answered one round trip (200 ms) later, not one round trip each
// (6.4 s): the link holds many blocks in flight, like a real path. The
// upper bound is 16 round trips, far from what a pipe needs (about 1.5),
// so a busy machine does not make the test fail.
func TestLinkDelayIsAPipe(t *testing.T) {
	link := swarm.Link{Delay: 100 * time.Millisecond, Jitter: 20 * time.Millisecond, Rate: 8 << 20, Seed: 1}
	elapsed := fetchPieces(t, bigContent(t), link, 16)
	require.GreaterOrEqual(t, elapsed, 200*time.Millisecond, "a request and its block cross the link once each")
	require.Less(t, elapsed, 16*200*time.Millisecond, "the blocks travel together, not one round trip each")
}

// TestLinkJitterKeepsOrder: jitter much larger than the time between two
// blocks still delivers every byte in order (fetchPieces checks them).
func TestLinkJitterKeepsOrder(t *testing.T) {
	fetchPieces(t, bigContent(t), swarm.Link{Jitter: 30 * time.Millisecond, Seed: 7}, 32)
}

// lostBlocks requests every block of content from a seeder that loses
// blocks, and returns which blocks arrived (index*2 + block in the piece).
func lostBlocks(t *testing.T, content swarm.Content, seed uint64) []int {
	t.Helper()
	s := swarm.Start(t, content, swarm.Options{Link: swarm.Link{LoseBlocks: 0.3, Seed: seed}})
	c := dial(t, s, content.InfoHash)
	c.ready()
	n := content.NumPieces()
	for i := range n {
		c.requestPiece(content, i)
	}
	var got []int
	for len(got)+s.BlocksLost() < 2*n {
		// Wait for a length prefix with a short deadline, then read the
		// message with a long one: a deadline in the middle of a message
		// would lose its first bytes and misread the rest.
		c.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.r.Peek(4); errors.Is(err, os.ErrDeadlineExceeded) {
			continue // the seeder may still be deciding: look again
		}
		c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		id, p, err := c.msg()
		require.NoError(t, err)
		if id == 7 {
			got = append(got, int(binary.BigEndian.Uint32(p))*2+int(binary.BigEndian.Uint32(p[4:]))/block)
		}
	}
	require.NoError(t, s.Close())
	require.Empty(t, s.Violations())
	return got
}

// TestLinkLosesBlocks: a seeder losing 30 % of blocks loses some and sends
// the others, and the same seed loses the same ones.
func TestLinkLosesBlocks(t *testing.T) {
	content := bigContent(t)
	got := lostBlocks(t, content, 1)
	require.NotEmpty(t, got)
	require.Less(t, len(got), 64, "some blocks are lost")
	require.Equal(t, got, lostBlocks(t, content, 1), "the same seed loses the same blocks")
	require.NotEqual(t, got, lostBlocks(t, content, 2), "another seed, other blocks")
}

// TestLinkLosesConnection: a seeder that always loses the connection after
// a block sends one block, then resets the connection.
func TestLinkLosesConnection(t *testing.T) {
	content := bigContent(t)
	s := swarm.Start(t, content, swarm.Options{Link: swarm.Link{LoseConnection: 1, Delay: time.Millisecond}})
	c := dial(t, s, content.InfoHash)
	c.ready()
	c.requestPiece(content, 0)
	id, _, err := c.msg()
	require.NoError(t, err)
	require.Equal(t, 7, id, "the block before the loss")
	_, _, err = c.msg()
	require.Error(t, err, "the connection is gone")
	require.NoError(t, s.Close())
	require.Equal(t, 1, s.ConnectionsLost())
}

func TestLinkRejectsBadOptions(t *testing.T) {
	content := bigContent(t)
	for _, l := range []swarm.Link{{Delay: -1}, {Rate: -1}, {LoseBlocks: 1.5}, {LoseConnection: -0.1}} {
		_, err := swarm.Listen(content, swarm.Options{Link: l})
		require.Error(t, err, "%+v", l)
	}
}

// TestLinkClosesPromptly: closing a seeder with blocks in flight on a slow
// link ends every goroutine at once (goleak checks at the end).
func TestLinkClosesPromptly(t *testing.T) {
	content := bigContent(t)
	s := swarm.Start(t, content, swarm.Options{Link: swarm.Link{Delay: time.Second, Rate: 64 << 10}})
	dial(t, s, content.InfoHash) // its handshake is on the way in
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, s.Close())
	_, err := net.Dial("tcp", s.Addr())
	require.Error(t, err)
}
