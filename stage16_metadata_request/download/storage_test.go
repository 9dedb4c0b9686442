package download

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage16_metadata_request/torrent"
)

// TestStorageRejectsPathOutside checks the last line of defence: a file
// path that would leave the output directory is refused even if a parser
// let it through.
func TestStorageRejectsPathOutside(t *testing.T) {
	for _, path := range [][]string{{".."}, {"..", "x"}, {"a", "..", "..", "x"}, {"/etc/passwd"}, {}, {"a/../../b"}} {
		info := &torrent.Info{Name: "t", PieceLength: 16, Length: 1, Files: []torrent.File{{Path: path, Length: 1}}}
		dir := t.TempDir()
		_, err := newStorage(info, filepath.Join(dir, "out"))
		require.ErrorContains(t, err, "outside the output directory", "path %q", path)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Empty(t, entries, "nothing is left behind for path %q", path)
	}
}
