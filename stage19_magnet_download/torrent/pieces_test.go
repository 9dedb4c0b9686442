package torrent_test

import (
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage19_magnet_download/torrent"
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

// TestPieceFiles maps every piece of every test torrent back to its files:
// the spans follow each other through the joined files without a gap and add
// up to the piece.
func TestPieceFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range torrentfile.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			m, err := torrent.Parse(torrentfile.MustBuild(t, tc.Options).Bytes)
			require.NoError(t, err)
			files := m.Info.Files
			if files == nil {
				files = []torrent.File{{Length: m.Info.Length}}
			}
			fileStart := make([]int64, len(files)) // in the joined stream
			for f := 1; f < len(files); f++ {
				fileStart[f] = fileStart[f-1] + files[f-1].Length
			}
			var next int64 // where the next span must start in the stream
			for i := range m.Info.NumPieces() {
				var size int64
				for _, span := range m.Info.PieceFiles(i) {
					require.Positive(t, span.Length, "piece %d", i)
					require.Equal(t, next, fileStart[span.File]+span.Offset, "piece %d: spans leave no gap", i)
					require.LessOrEqual(t, span.Offset+span.Length, files[span.File].Length, "piece %d: inside the file", i)
					next += span.Length
					size += span.Length
				}
				require.Equal(t, m.Info.PieceSize(i), size, "piece %d: its spans add up to it", i)
			}
			require.Equal(t, m.Info.Length, next)
		})
	}
}
