package main_test

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// TestMagnetDownloadFromRealSeeders: given only a magnet link whose tr is
// a real opentracker, magnet_download gets the metadata and then the
// content from real aria2c and qbittorrent-nox seeders (each serves the
// metadata with its own ut_metadata id), all on 127.0.0.1.
func TestMagnetDownloadFromRealSeeders(t *testing.T) {
	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox")
	bigMetadata := torrentfile.Options{Name: "real-magnet.bin", Length: 20<<20 + 777, PieceLength: 16 << 10} // 1281 pieces: 25620 bytes of hashes, 2 metadata pieces
	multi := torrentfile.Options{Name: "real-magnet-album", PieceLength: 64 << 10, Files: []torrentfile.FileSpec{
		{Path: []string{"README.txt"}, Length: 999},
		{Path: []string{"disc 1", "01 intro.flac"}, Length: 3<<20 + 17},
		{Path: []string{"disc 2", "empty.cue"}, Length: 0},
		{Path: []string{"disc 2", "art", "cover.jpg"}, Length: 200_000},
	}}
	tests := []struct {
		name    string
		o       torrentfile.Options
		seeders []realSeeder
	}{
		{"MetadataOver16KiB/aria2c", bigMetadata, []realSeeder{realSeeders[0]}},
		{"MetadataOver16KiB/qbittorrent-nox", bigMetadata, []realSeeder{realSeeders[1]}},
		{"MultiFile/aria2c", multi, []realSeeder{realSeeders[0]}},
		{"MultiFile/qbittorrent-nox", multi, []realSeeder{realSeeders[1]}},
	}
	for i, tc := range tests {
		o := tc.o
		o.Seed = uint64(190 + i) // a torrent of its own per case
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tor, tr := startTracker(t, o)
			dir := t.TempDir()
			require.NoError(t, tor.WriteContent(dir))
			torrentPath := tor.WriteTorrent(t)
			var addrs []netip.AddrPort
			for _, s := range tc.seeders {
				addrs = append(addrs, s.start(t, torrentPath, dir))
			}
			tr.WaitForPeers(t, tor.InfoHash, 30*time.Second, addrs...)

			link := tor.MagnetLink()
			out := filepath.Join(t.TempDir(), "out")
			res := runCheckingLoopback(t, "magnet_download", "-o", out, link)
			require.Equal(t, 0, res.ExitCode, "magnet_download from real seeders must succeed\n%s", res)
			require.Equal(t, "Downloaded "+link+" to "+out+".\n", res.Stdout, "%s", res)
			require.NoError(t, tor.VerifyContent(out), "the download must match what the real seeders serve")
		})
	}
}
