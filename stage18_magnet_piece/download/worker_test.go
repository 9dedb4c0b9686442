package download

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/peer"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// TestWorkerOutwaitsKeepAliveInterval: a worker reads with a deadline past
// BEP 3's two minutes between keep-alives, so a healthy peer that is silent
// while other peers fetch the pieces it has is not dropped for silence (the
// stall check decides about peers we wait on).
func TestWorkerOutwaitsKeepAliveInterval(t *testing.T) {
	tor := torrentfile.Sample(t)
	s := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	conn, err := peer.Dial(context.Background(), s.Addr(), m.InfoHash, [20]byte{'-', 'W', 'B'}, peer.Timeouts{Read: time.Second})
	require.NoError(t, err)
	defer conn.Close()

	w := newWorker(conn, &downloader{m: m, q: newQueue(m.Info.NumPieces(), m.Info.PieceSize, 0)})
	require.Equal(t, time.Second, w.s.stall, "the stall limit is the Read limit the peer was dialled with")
	require.Greater(t, conn.Timeouts.Read, 2*time.Minute,
		"a peer may send nothing but a keep-alive every two minutes; silence alone is no reason to drop it")
}

// TestWorkerSendsKeepAlives: a worker with nothing to fetch from its peer
// (here: other workers use up MaxBuffered) stays connected, and says so
// with a keep-alive whenever it has been silent for keepAliveEvery; waiting
// on others is not a stall either.
func TestWorkerSendsKeepAlives(t *testing.T) {
	tor := torrentfile.Sample(t)
	s := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	conn, err := peer.Dial(context.Background(), s.Addr(), m.InfoHash, [20]byte{'-', 'W', 'B'}, peer.Timeouts{Read: 200 * time.Millisecond})
	require.NoError(t, err)

	// Another worker holds a piece and with it the whole memory budget:
	// this one must wait.
	q := newQueue(m.Info.NumPieces(), m.Info.PieceSize, 1)
	_, ok := q.pick(all, none)
	require.True(t, ok)
	w := newWorker(conn, &downloader{m: m, q: q})
	w.keepAliveEvery = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	err = w.run(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "waiting on other workers is no stall")
	s.Close()
	require.GreaterOrEqual(t, s.KeepAlivesReceived(), 5, "about one keep-alive per 100ms of silence in a second")
	require.Empty(t, s.Violations())
}
