package torrent_test

import (
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage09_handshake/torrent"
	"workbook/testkit/torrentfile"
)

func TestPieceHashAndSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts torrentfile.Options
	}{
		{"short last piece", torrentfile.Options{Seed: 1, Length: 92063, PieceLength: 16384}},
		{"length a multiple of the piece length", torrentfile.Options{Seed: 2, Length: 4 * 32768, PieceLength: 32768}},
		{"one byte past a piece boundary", torrentfile.Options{Seed: 3, Length: 32769, PieceLength: 32768}},
		{"one piece bigger than the file", torrentfile.Options{Seed: 4, Length: 1000, PieceLength: 1 << 20}},
		{"one byte", torrentfile.Options{Seed: 5, Length: 1}},
		{"multi-file, pieces spanning files", torrentfile.Options{Seed: 6, PieceLength: 16384, Files: []torrentfile.FileSpec{
			{Path: []string{"a"}, Length: 10000}, {Path: []string{"b", "c"}, Length: 0}, {Path: []string{"d"}, Length: 30000},
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := torrentfile.MustBuild(t, tc.opts)
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
