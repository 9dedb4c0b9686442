package torrent_test

import (
	"crypto/sha1"
	"slices"
	"strings"
	"testing"

	"workbook/stage19_magnet_download/torrent"
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
		if m.TrackerURL == "" {
			t.Fatal("accepted a torrent without a tracker URL")
		}
		requireSafeName(t, info.Name)
		var total int64
		for _, file := range info.Files {
			if file.Length < 0 || len(file.Path) == 0 {
				t.Fatalf("accepted file %q of %d bytes", file.Path, file.Length)
			}
			for _, elem := range file.Path {
				requireSafeName(t, elem)
			}
			total += file.Length
		}
		if info.Files != nil && total != info.Length {
			t.Fatalf("files sum to %d, Length is %d", total, info.Length)
		}
		requireNoClash(t, info.Files)
		// The last piece is the short one, and its hash is there.
		last := info.NumPieces() - 1
		if size := info.PieceSize(last); size <= 0 || size > info.PieceLength ||
			int64(last)*info.PieceLength+size != info.Length {
			t.Fatalf("last piece %d has size %d (piece length %d, length %d)", last, size, info.PieceLength, info.Length)
		}
		_ = info.PieceHash(last)
	})
}

// requireSafeName fails t if a name or path element Parse accepted could
// place a file outside the torrent's directory.
func requireSafeName(t *testing.T, elem string) {
	t.Helper()
	if elem == "" || elem == "." || elem == ".." || strings.ContainsAny(elem, "/\\\x00") {
		t.Fatalf("accepted the unsafe name or path element %q", elem)
	}
}

// requireNoClash fails t if two accepted files share a path or one's path
// runs through the other (checked the slow, obvious way: every pair).
func requireNoClash(t *testing.T, files []torrent.File) {
	t.Helper()
	for i, a := range files {
		for _, b := range files[:i] {
			short, long := a.Path, b.Path
			if len(short) > len(long) {
				short, long = long, short
			}
			if slices.Equal(short, long[:len(short)]) {
				t.Fatalf("accepted files %q and %q: one path is, or is inside, the other", b.Path, a.Path)
			}
		}
	}
}
