package download

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/swarm"
	"workbook/testkit/torrentfile"
)

// TestDownloadDiskFull points the storage's file at /dev/full, where every
// write fails with ENOSPC, as on a full disk. No peer can fix that: Download
// must stop at once with that error, not try peer after peer.
func TestDownloadDiskFull(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	tor := torrentfile.MustBuild(t, torrentfile.Options{Seed: 13, Length: 200_000, PieceLength: 32 << 10})
	m, err := torrent.Parse(tor.Bytes)
	require.NoError(t, err)
	var peers []netip.AddrPort
	for range 3 {
		peers = append(peers, swarm.Start(t, swarm.FromTorrent(tor), swarm.Options{}).AddrPort())
	}
	out := filepath.Join(t.TempDir(), "out")
	store, err := newStorage(&m.Info, out)
	require.NoError(t, err)
	defer store.abort()
	store.paths[0] = "/dev/full"

	d := &downloader{m: m, opts: &Options{}, q: newQueue(m.Info.NumPieces(), m.Info.PieceSize, 0), store: store}
	err = d.run(context.Background(), peers)
	require.ErrorIs(t, err, syscall.ENOSPC, "a full disk is the error, not the peers")
	require.Empty(t, d.errs, "no peer is blamed for our disk")
	_, err = os.Stat(out)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing at the output path")
}
