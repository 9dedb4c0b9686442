package realbt_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/realbt"
	"workbook/testkit/torrentfile"
)

// TestRealSeedersServeMetadata checks that aria2 and qBittorrent, started as
// realbt starts them (DHT, PEX, LSD, UPnP off, loopback only), speak BEP 10
// and serve the metadata over BEP 9: a single-piece info dict, and one of
// 1000 pieces whose metadata takes two 16 KiB pieces. It logs the
// ut_metadata id each advertises, which a stage's magnet_handshake must
// print.
func TestRealSeedersServeMetadata(t *testing.T) {
	tests := []struct {
		name  string
		build func(announce string) *torrentfile.Torrent
	}{
		{"one metadata piece", func(announce string) *torrentfile.Torrent {
			return torrentfile.MustBuild(t, torrentfile.Options{Seed: 31, Name: "meta1.bin", Length: 100000, PieceLength: 16384, Announce: announce})
		}},
		{"two metadata pieces", func(announce string) *torrentfile.Torrent {
			return torrentfile.MustBuild(t, torrentfile.Options{Seed: 32, Name: "meta2.bin", Length: 1000*16384 - 1, PieceLength: 16384, Announce: announce})
		}},
	}
	wantID := map[string]int64{"aria2c": realbt.Aria2UTMetadataID, "qbittorrent-nox": realbt.QBittorrentUTMetadataID}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, tor, seeders := startSwarm(t, tc.build)
			for _, s := range seeders {
				t.Run(s.name, func(t *testing.T) {
					ext, err := realbt.PeerExtensions(s.addr.String(), tor.InfoHash)
					require.NoError(t, err)
					t.Logf("%s: reserved %x, v %q, m %v, metadata_size %d", s.name, ext.Reserved, ext.V, ext.M, ext.MetadataSize)
					require.Equal(t, wantID[s.name], ext.UTMetadata(), "%s's ut_metadata id", s.name)
					require.Equal(t, int64(len(tor.InfoBytes)), ext.MetadataSize)

					info, err := realbt.PeerMetadata(s.addr.String(), tor.InfoHash)
					require.NoError(t, err)
					require.Equal(t, tor.InfoBytes, info)
				})
			}
		})
	}
}
