package torrent_test

import (
	"crypto/sha1"
	"testing"

	"workbook/stage11_download/torrent"
	"workbook/testkit/torrentfile"
)

// FuzzParse checks that Parse never panics, and that whatever it accepts
// holds the promises later stages rely on. Seeds: testdata/fuzz/FuzzParse,
// the real-program torrents, the test torrents and every hostile one.
func FuzzParse(f *testing.F) {
	reals, err := torrentfile.RealTorrents()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range reals {
		f.Add(r.Bytes)
	}
	f.Add(torrentfile.Sample(f).Bytes)
	f.Add(torrentfile.SampleMulti(f).Bytes)
	for _, h := range torrentfile.HostileCases() {
		f.Add(h.Bytes)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := torrent.Parse(data)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			return
		}
		info := m.Info
		if info.PieceLength <= 0 || info.Length <= 0 {
			t.Fatalf("accepted piece length %d, length %d", info.PieceLength, info.Length)
		}
		if len(info.Pieces)%sha1.Size != 0 {
			t.Fatalf("accepted %d bytes of pieces", len(info.Pieces))
		}
		n := int64(info.NumPieces())
		if (n-1)*info.PieceLength >= info.Length || n*info.PieceLength < info.Length {
			t.Fatalf("%d pieces of %d do not cover length %d exactly", n, info.PieceLength, info.Length)
		}
		var total int64
		for _, file := range info.Files {
			if file.Length < 0 || len(file.Path) == 0 {
				t.Fatalf("accepted file %q of %d bytes", file.Path, file.Length)
			}
			total += file.Length
		}
		if info.Files != nil && total != info.Length {
			t.Fatalf("files sum to %d, Length is %d", total, info.Length)
		}
		// Stage 7: the last piece is the short one, and its hash is there.
		last := info.NumPieces() - 1
		if size := info.PieceSize(last); size <= 0 || size > info.PieceLength ||
			int64(last)*info.PieceLength+size != info.Length {
			t.Fatalf("last piece %d has size %d (piece length %d, length %d)", last, size, info.PieceLength, info.Length)
		}
		_ = info.PieceHash(last)
	})
}
