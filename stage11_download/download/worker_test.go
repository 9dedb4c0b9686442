package download

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/stage11_download/peer"
	"workbook/stage11_download/torrent"
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
	conn, err := peer.Dial(context.Background(), s.Addr(), m.InfoHash, [20]byte{'-', 'W', 'B'})
	require.NoError(t, err)
	defer conn.Close()

	opts := Options{StallTimeout: time.Second}
	opts.setDefaults()
	w := newWorker(conn, &m.Info, newQueue(m.Info.NumPieces(), m.Info.PieceSize, 0), nil, &opts, nil)
	require.Greater(t, w.conn.ReadTimeout, 2*time.Minute,
		"a peer may send nothing but a keep-alive every two minutes; silence alone is no reason to drop it")
}
