package torrent_test

import (
	"fmt"
	"testing"

	"workbook/stage17_metadata_receive/torrent"
	"workbook/testkit/torrentfile"
)

// BenchmarkParse parses a torrent of realistic size: 500 files, 2048 pieces
// (a 40 KiB pieces string), the kind of file a client opens once per
// download.
func BenchmarkParse(b *testing.B) {
	files := make([]torrentfile.FileSpec, 500)
	for i := range files {
		files[i] = torrentfile.FileSpec{Path: []string{fmt.Sprintf("dir%d", i%10), fmt.Sprintf("file%d.bin", i)}, Length: 64 << 10}
	}
	tor := torrentfile.MustBuild(b, torrentfile.Options{Files: files, PieceLength: 16 << 10})
	b.SetBytes(int64(len(tor.Bytes)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := torrent.Parse(tor.Bytes); err != nil {
			b.Fatal(err)
		}
	}
}
