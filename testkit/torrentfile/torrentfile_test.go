package torrentfile

import (
	"bytes"
	"crypto/sha1"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackpal/bencode-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestContentIsDeterministicAndRandomAccess(t *testing.T) {
	c := Content{Seed: 42, Size: 1000}
	whole := c.Bytes()
	require.Len(t, whole, 1000)
	require.Equal(t, whole, Content{Seed: 42, Size: 1000}.Bytes(), "same seed, same bytes")
	require.NotEqual(t, whole, Content{Seed: 43, Size: 1000}.Bytes(), "another seed, other bytes")
	for _, r := range []struct{ off, n int64 }{{0, 1}, {3, 5}, {7, 9}, {13, 300}, {995, 5}, {999, 1}} {
		require.Equal(t, whole[r.off:r.off+r.n], c.Range(r.off, r.n), "range %d+%d", r.off, r.n)
	}
	buf := make([]byte, 10)
	n, err := c.ReadAt(buf, 995)
	require.Equal(t, 5, n)
	require.ErrorIs(t, err, io.EOF)
	streamed, err := io.ReadAll(c.Reader())
	require.NoError(t, err)
	require.Equal(t, whole, streamed)
}

func TestBuildSingleFile(t *testing.T) {
	tor := Sample(t)
	require.Equal(t, int64(92063), tor.Length)
	require.Equal(t, 6, tor.NumPieces())
	require.Equal(t, int64(92063-5*16384), tor.PieceSize(5), "last piece is short")
	content := tor.Content.Bytes()
	for i := range tor.NumPieces() {
		want := sha1.Sum(content[int64(i)*tor.PieceLength : int64(i)*tor.PieceLength+tor.PieceSize(i)])
		require.Equal(t, want, tor.Pieces[i], "piece %d", i)
		require.Equal(t, want, sha1.Sum(tor.Piece(i)), "piece %d", i)
	}
	checkEncoding(t, tor)
	decoded := decode(t, tor.Bytes)
	require.Equal(t, DefaultAnnounce, decoded["announce"])
	info := decoded["info"].(map[string]any)
	require.Equal(t, int64(92063), info["length"])
	require.Equal(t, "sample.txt", info["name"])
}

func TestBuildMultiFile(t *testing.T) {
	tor := SampleMulti(t)
	require.Equal(t, int64(1200+70000+33333+0+12345), tor.Length)
	require.Equal(t, []string{"disc 2", "art", "cover.jpg"}, tor.Files[4].Path)
	require.Equal(t, int64(1200+70000+33333), tor.Files[4].Offset)
	checkEncoding(t, tor)
	info := decode(t, tor.Bytes)["info"].(map[string]any)
	require.NotContains(t, info, "length")
	files := info["files"].([]any)
	require.Len(t, files, 5)
	require.Equal(t, []any{"disc 1", "02 theme.flac"}, files[2].(map[string]any)["path"])

	dir := t.TempDir()
	require.NoError(t, tor.WriteContent(dir))
	require.NoError(t, tor.VerifyContent(tor.ContentPath(dir)))
	got, err := os.ReadFile(tor.FilePath(dir, 1))
	require.NoError(t, err)
	require.Equal(t, tor.Content.Range(1200, 70000), got)

	// Corrupt one byte: VerifyContent must notice and say where.
	f, err := os.OpenFile(tor.FilePath(dir, 2), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{^tor.Content.Range(1200+70000+77, 1)[0]}, 77)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	err = tor.VerifyContent(tor.ContentPath(dir))
	require.ErrorContains(t, err, "02 theme.flac: byte 77")
}

func TestBuildExtrasAndUnsortedKeys(t *testing.T) {
	opts := Options{Seed: 3, Length: 50000, PieceLength: 32768,
		Announce:     "http://127.0.0.1:6969/announce?passkey=s3cr3t",
		AnnounceList: [][]string{{"http://127.0.0.1:6969/announce"}, {"http://127.0.0.1:6970/announce", "udp://127.0.0.1:6971"}}}
	plain := MustBuild(t, opts)
	checkEncoding(t, plain)
	require.Equal(t, opts.AnnounceList[1], []string{decode(t, plain.Bytes)["announce-list"].([]any)[1].([]any)[0].(string), "udp://127.0.0.1:6971"})

	opts.Private, opts.Source = true, "workbook"
	extra := MustBuild(t, opts)
	checkEncoding(t, extra)
	require.NotEqual(t, plain.InfoHash, extra.InfoHash, "extra keys change the info hash")
	require.Contains(t, string(extra.InfoBytes), "7:privatei1e6:source8:workbook")

	opts.UnsortedInfo = true
	unsorted := MustBuild(t, opts)
	require.Equal(t, sha1.Sum(unsorted.InfoBytes), unsorted.InfoHash)
	require.True(t, bytes.HasPrefix(unsorted.InfoBytes, []byte("d6:source8:workbook7:privatei1e6:pieces")), "%.40q", unsorted.InfoBytes)
	reencoded := marshal(decode(t, unsorted.Bytes)["info"])
	require.Equal(t, extra.InfoBytes, reencoded, "re-encoding sorts the keys...")
	require.NotEqual(t, unsorted.InfoHash, sha1.Sum(reencoded), "...so its hash is not the torrent's info hash")
}

// checkEncoding checks that a canonical torrent's info bytes are exactly what
// bencode-go encodes for its info map, and that InfoHash hashes them.
func checkEncoding(t *testing.T, tor *Torrent) {
	t.Helper()
	require.Equal(t, sha1.Sum(tor.InfoBytes), tor.InfoHash)
	require.True(t, bytes.Contains(tor.Bytes, append([]byte("4:info"), tor.InfoBytes...)))
	top := decode(t, tor.Bytes)
	require.Equal(t, tor.InfoBytes, marshal(top["info"]))
	require.Equal(t, tor.Bytes, marshal(top))
	require.Equal(t, tor.PiecesString(), top["info"].(map[string]any)["pieces"])
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	v, err := bencode.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	return v.(map[string]any)
}

func TestHostileCases(t *testing.T) {
	names := map[string]bool{}
	for _, h := range HostileCases() {
		require.False(t, names[h.Name], "duplicate name %s", h.Name)
		names[h.Name] = true
		require.Equal(t, h.Name, filepath.Base(h.Name), "file-name safe")
		require.NotEmpty(t, h.Why)
		if h.Key != "" {
			// Built from maps: bencode-go must read them (so the defect is in
			// the metainfo, not the bencode).
			_, err := bencode.Decode(bytes.NewReader(h.Bytes))
			require.NoError(t, err, h.Name)
		}
	}
	assert.GreaterOrEqual(t, len(names), 55)
}

func TestWriteTorrent(t *testing.T) {
	tor := Sample(t)
	got, err := os.ReadFile(tor.WriteTorrent(t))
	require.NoError(t, err)
	require.Equal(t, tor.Bytes, got)
}

func TestRealTorrents(t *testing.T) {
	reals, err := RealTorrents()
	require.NoError(t, err)
	require.Len(t, reals, 4)
	for _, r := range reals {
		t.Run(r.File, func(t *testing.T) {
			// Cross-check transmission-show's facts with bencode-go's view of
			// the file (these files are small and well-formed).
			top := decode(t, r.Bytes)
			info := top["info"].(map[string]any)
			require.Equal(t, r.Name, info["name"])
			require.Equal(t, r.PieceLength, info["piece length"])
			require.Equal(t, r.Tiers[0][0], top["announce"])
			require.Equal(t, r.PiecesString(), info["pieces"], "pieces hashed from content/ match the tool's")
			if r.Files == nil {
				require.Equal(t, r.Length, info["length"])
			} else {
				require.Len(t, info["files"], len(r.Files))
			}
			// The tools write canonical info dicts, so here (only here)
			// re-encoding gives the same hash as the raw bytes.
			require.Equal(t, r.InfoHash, sha1.Sum(marshal(info)))
		})
	}
}

func TestCasesBuild(t *testing.T) {
	for _, c := range Cases() {
		tor, err := Build(c.Options)
		require.NoError(t, err, c.Name)
		require.Equal(t, sha1.Sum(tor.InfoBytes), tor.InfoHash, c.Name)
	}
}

func TestBuildNoAnnounce(t *testing.T) {
	tiers := [][]string{{"", "http://127.0.0.1:6970/announce"}, {DefaultAnnounce}}
	tor := MustBuild(t, Options{Seed: 4, Length: 100, NoAnnounce: true, AnnounceList: tiers})
	checkEncoding(t, tor)
	top := decode(t, tor.Bytes)
	require.NotContains(t, top, "announce", "BEP 12 torrent: trackers only in announce-list")
	require.Len(t, top["announce-list"], 2)
	require.Empty(t, tor.Announce)
	require.Equal(t, "http://127.0.0.1:6970/announce", tor.TrackerURL(), "first URL of the first tier")
	require.Equal(t, DefaultAnnounce, Sample(t).TrackerURL(), "announce when present")

	_, err := Build(Options{Length: 100, NoAnnounce: true})
	require.ErrorContains(t, err, "NoAnnounce needs a URL")
	_, err = Build(Options{Length: 100, NoAnnounce: true, Announce: DefaultAnnounce, AnnounceList: tiers})
	require.ErrorContains(t, err, "NoAnnounce with an Announce URL")
}
