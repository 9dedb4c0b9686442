package torrent_test

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/stage18_magnet_piece/bencode"
	"workbook/stage18_magnet_piece/torrent"
	"workbook/testkit/torrentfile"
)

// TestInfoHashUsesRawBytes is the lesson's point as a test: for these
// torrents, decoding the info dictionary and encoding it again does not give
// back the file's bytes, so only the raw bytes give the right info hash.
func TestInfoHashUsesRawBytes(t *testing.T) {
	t.Parallel()
	unsorted := torrentfile.MustBuild(t, torrentfile.Options{Seed: 10, Length: 5000, Private: true, Source: "x", UnsortedInfo: true})
	reals, err := torrentfile.RealTorrents()
	require.NoError(t, err)
	var transmission torrentfile.Real
	for _, r := range reals {
		if r.File == "transmission-single.torrent" {
			transmission = r
		}
	}
	tests := []struct {
		name     string
		data     []byte
		wantHash string // computed by testkit, or reported by transmission-show
		// knownOnly rebuilds the info dictionary as a client that knows only the
		// BEP 3 keys would; otherwise it re-encodes the decoded dictionary.
		knownOnly bool
	}{
		{"info keys out of order, re-encoded", unsorted.Bytes, unsorted.InfoHashHex(), false},
		{"private=0 written by Transmission, known keys only", transmission.Bytes, transmission.InfoHashHex(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := torrent.Parse(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.wantHash, fmt.Sprintf("%x", m.InfoHash), "hash of the raw info bytes")

			// The mistake, made on purpose: it must give another hash.
			var rebuilt any
			if tc.knownOnly {
				rebuilt = map[string]any{"name": m.Info.Name, "length": m.Info.Length,
					"piece length": m.Info.PieceLength, "pieces": m.Info.Pieces}
			} else {
				_, fields, err := bencode.RawFields(tc.data)
				require.NoError(t, err)
				rebuilt, err = bencode.Decode(fields["info"])
				require.NoError(t, err)
			}
			reencoded, err := bencode.Encode(rebuilt)
			require.NoError(t, err)
			require.NotEqual(t, tc.wantHash, fmt.Sprintf("%x", sha1.Sum(reencoded)),
				"this torrent was chosen because re-encoding changes its info bytes")
		})
	}
}

func ExampleParse_infoHash() {
	// An info dictionary with its keys out of order: "name" before "length".
	info := "d4:name5:a.txt6:lengthi5e12:piece lengthi16384e6:pieces20:" + strings.Repeat("x", 20) + "e"
	data := "d8:announce30:http://127.0.0.1:6969/announce4:info" + info + "e"
	m, err := torrent.Parse([]byte(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Decoding and re-encoding sorts the keys: other bytes, other hash.
	decoded, _ := bencode.Decode([]byte(info))
	reencoded, _ := bencode.Encode(decoded)
	fmt.Printf("in the file: %.30s...\n", info)
	fmt.Printf("re-encoded:  %.30s...\n", reencoded)
	fmt.Printf("info hash (raw bytes):  %x\n", m.InfoHash)
	fmt.Printf("hash of the re-encoding: %x\n", sha1.Sum(reencoded))
	// Output:
	// in the file: d4:name5:a.txt6:lengthi5e12:pi...
	// re-encoded:  d6:lengthi5e4:name5:a.txt12:pi...
	// info hash (raw bytes):  f1e9cd96fe4aed9471f4063b969be912cc695db0
	// hash of the re-encoding: 0aed067d7c18858488c371d1434c2fa4aee0699a
}
