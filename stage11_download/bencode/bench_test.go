package bencode_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	bencodego "github.com/jackpal/bencode-go"

	"workbook/stage11_download/bencode"
)

// BenchmarkDecode decodes the same torrent-sized dictionaries (a 40 KiB
// pieces string and a list of files) with this package and with bencode-go.
// Two shapes: few files, where copying the pieces string dominates, and many
// files, where building maps and lists dominates.
//
//	go test -run '^$' -bench Decode -benchmem ./stage04_dicts/bencode
func BenchmarkDecode(b *testing.B) {
	for _, files := range []int{10, 100} {
		data := torrentFixture(b, files)
		b.Run(fmt.Sprintf("files=%d/ours", files), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := bencode.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("files=%d/bencode-go", files), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := bencodego.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// torrentFixture builds a .torrent of 2048 pieces and the given number of
// files with bencode-go.
func torrentFixture(b *testing.B, numFiles int) []byte {
	pieces := make([]byte, 2048*20) // 2048 SHA-1 hashes: 40 KiB
	rand.Read(pieces)
	files := []any{}
	for i := range numFiles {
		files = append(files, map[string]any{
			"length": int64(1_000_000 + i),
			"path":   []any{"disc 1", fmt.Sprintf("track %03d.flac", i)},
		})
	}
	torrent := map[string]any{
		"announce":      "http://127.0.0.1:6969/announce",
		"comment":       "benchmark fixture",
		"creation date": int64(1700000000),
		"info": map[string]any{
			"name":         "album",
			"piece length": int64(262144),
			"pieces":       string(pieces),
			"files":        files,
		},
	}
	var buf bytes.Buffer
	if err := bencodego.Marshal(&buf, torrent); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
