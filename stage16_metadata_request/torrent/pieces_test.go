package torrent_test

import (
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/torrent"
	"workbook/testkit/torrentfile"
)

func TestPieceHashAndSize(t *testing.T) {
	t.Parallel()
	for _, tc := range torrentfile.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			want := torrentfile.MustBuild(t, tc.Options)
			m, err := torrent.Parse(want.Bytes)
			require.NoError(t, err)
			require.Equal(t, want.NumPieces(), m.Info.NumPieces())
			var total int64
			for i := range m.Info.NumPieces() {
				require.Equal(t, want.Pieces[i], m.Info.PieceHash(i), "hash of piece %d", i)
				require.Equal(t, want.PieceSize(i), m.Info.PieceSize(i), "size of piece %d", i)
				total += m.Info.PieceSize(i)
			}
			require.Equal(t, want.Length, total, "the pieces cover the content exactly")
		})
	}
}

// TestPieceHashesOfRealTorrents hashes the content the real tools were run
// on, piece by piece, and compares with what they wrote into the files.
func TestPieceHashesOfRealTorrents(t *testing.T) {
	t.Parallel()
	reals, err := torrentfile.RealTorrents()
	require.NoError(t, err)
	for _, r := range reals {
		t.Run(r.File, func(t *testing.T) {
			m, err := torrent.Parse(r.Bytes)
			require.NoError(t, err)
			require.Equal(t, r.NumPieces, m.Info.NumPieces())
			off := int64(0)
			for i := range m.Info.NumPieces() {
				size := m.Info.PieceSize(i)
				require.Equal(t, sha1.Sum(r.Content[off:off+size]), m.Info.PieceHash(i), "piece %d", i)
				off += size
			}
			require.Equal(t, int64(len(r.Content)), off)
		})
	}
}
