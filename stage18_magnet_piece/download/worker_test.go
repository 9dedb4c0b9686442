package download

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

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

	w := newWorker(conn, &downloader{m: m, opts: &Options{}, q: newQueue(m.Info.NumPieces(), m.Info.PieceSize, 0)})
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
	w := newWorker(conn, &downloader{m: m, opts: &Options{}, q: q})
	w.keepAliveEvery = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	err = w.run(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "waiting on other workers is no stall")
	s.Close()
	require.GreaterOrEqual(t, s.KeepAlivesReceived(), 5, "about one keep-alive per 100ms of silence in a second")
	require.Empty(t, s.Violations())
}

// TestDepthFollowsEachPeer: two seeders equally far away (200 ms round
// trip), one sending 1 MiB/s, one 8 MiB/s. Each worker sizes its own depth
// from what its peer delivers: the slow peer needs about 20 requests in
// flight and its depth falls below PipelineDepth, the fast one needs over 100
// and its depth grows past it; both deliver pieces all along.
func TestDepthFollowsEachPeer(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 21, Length: 12 << 20, PieceLength: 256 << 10})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	store, err := newStorage(&m.Info, filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer store.abort()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := &downloader{m: m, opts: &Options{}, q: newQueue(m.Info.NumPieces(), m.Info.PieceSize, 0), store: store, stop: cancel}

	var slow, fast *worker
	var wg sync.WaitGroup
	for _, w := range []**worker{&slow, &fast} {
		rate := int64(1 << 20)
		if w == &fast {
			rate = 8 << 20
		}
		s := swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{Link: swarm.Link{Delay: 100 * time.Millisecond, Rate: rate}})
		conn, err := peer.Dial(ctx, s.Addr(), m.InfoHash, [20]byte{'-', 'W', 'B'}, peer.Timeouts{})
		require.NoError(t, err)
		*w = newWorker(conn, d)
		// The worker that verifies the last piece stops the other (d.stop,
		// as in Download): that one may end with context.Canceled.
		wg.Go(func() {
			if err := (*w).run(ctx); !errors.Is(err, context.Canceled) {
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	require.True(t, d.q.complete())
	t.Logf("depth %d for the slow peer (%d pieces), %d for the fast one (%d pieces)", slow.s.depth, slow.delivered, fast.s.depth, fast.delivered)
	require.Less(t, slow.s.depth, PipelineDepth, "a slow peer needs fewer requests in flight")
	require.Greater(t, fast.s.depth, PipelineDepth, "a fast, far peer needs more")
	require.Positive(t, slow.delivered, "the slow peer was busy too")
	require.Greater(t, fast.delivered, slow.delivered)
}
