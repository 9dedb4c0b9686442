package bencode_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	bencodego "github.com/jackpal/bencode-go"

	"workbook/stage19_magnet_download/bencode"
)

// BenchmarkDecode decodes the same torrent-sized dictionaries (a 40 KiB
// pieces string and a list of files) with this package and with bencode-go.
// Two shapes: few files, where copying the pieces string dominates, and many
// files, where building maps and lists dominates.
//
// A third case, floor, decodes nothing: it builds the same result from an
// already parsed copy, making only the allocations that any decoder
// returning these Go types must make (one copy of the input's bytes, every
// map and list, every string and integer boxed into an any). No decoder of
// this API can be faster than floor; the lesson uses it to show how far the
// 3× goal is from reach.
//
//	go test -run '^$' -bench Decode -benchmem ./bencode
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
		b.Run(fmt.Sprintf("files=%d/floor", files), func(b *testing.B) {
			decoded, err := bencode.Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			parsed := parse(decoded)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				parsed.build(string(data))
			}
		})
	}
}

// parsed is a decoded value taken apart into slices, so that building it
// again costs little more than the allocations (ranging over a Go map would
// cost more than decoding does).
type parsed struct {
	str   string // a string's length is all build needs
	num   int64
	kind  byte     // 's', 'i', 'l' or 'd', as in bencode
	keys  []string // a dictionary's keys, in the order of elems
	elems []parsed // a list's elements or a dictionary's values
}

func parse(v any) parsed {
	switch v := v.(type) {
	case string:
		return parsed{kind: 's', str: v}
	case int64:
		return parsed{kind: 'i', num: v}
	case []any:
		p := parsed{kind: 'l'}
		for _, e := range v {
			p.elems = append(p.elems, parse(e))
		}
		return p
	default: // map[string]any
		p := parsed{kind: 'd'}
		for k, e := range v.(map[string]any) {
			p.keys = append(p.keys, k)
			p.elems = append(p.elems, parse(e))
		}
		return p
	}
}

// build returns the value again, its strings being substrings of text (a
// copy of the input, as Decode makes).
func (p *parsed) build(text string) any {
	switch p.kind {
	case 's':
		return text[:len(p.str)]
	case 'i':
		return p.num
	case 'l':
		list := make([]any, len(p.elems))
		for i := range p.elems {
			list[i] = p.elems[i].build(text)
		}
		return list
	default:
		dict := map[string]any{}
		for i, k := range p.keys {
			dict[k] = p.elems[i].build(text)
		}
		return dict
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
