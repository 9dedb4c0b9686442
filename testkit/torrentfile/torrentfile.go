// Package torrentfile builds .torrent files for tests from generated content.
//
// Everything here is computed independently of the workbook's own code: the
// metainfo is encoded with github.com/jackpal/bencode-go, the payload comes
// from Content (deterministic, seeded), the piece hashes are SHA-1 of that
// payload and the info hash is SHA-1 of the exact info-dictionary bytes
// written into the file. A stage's test can therefore compare its parser's
// answers against a Torrent's fields and catch a wrong parser, not agree with
// it.
//
// Build makes a valid torrent (single- or multi-file, optionally with info keys
// in non-canonical order or extra info keys); Hostile lists invalid ones, each
// naming the key a parser must complain about (HostileInfoCases: the hostile
// info dictionaries alone, as a peer serves metadata); Large has an info
// dictionary of several 16 KiB metadata pieces; Magnet and MagnetLink write a
// torrent's magnet link (BEP 9); Real lists .torrent files made
// by real programs (mktorrent, transmission-create) with what
// transmission-show reported about them.
package torrentfile

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackpal/bencode-go"
)

// DefaultAnnounce is the tracker URL a torrent gets when Options.Announce is
// empty. Nothing listens there; tests that talk to a tracker pass their fake
// tracker's URL instead.
const DefaultAnnounce = "http://127.0.0.1:6969/announce"

// DefaultPieceLength is the piece length used when Options.PieceLength is 0.
const DefaultPieceLength = 16 * 1024

// FileSpec describes one file of a multi-file torrent to build.
type FileSpec struct {
	Path   []string // path inside the torrent, e.g. {"docs", "a.txt"}
	Length int64
}

// Options describes the torrent Build makes. The zero value is a 1-byte
// single-file torrent; set Length (or Files) for anything useful.
type Options struct {
	Seed         uint64     // content seed: same seed, same bytes
	Name         string     // info.name; default "sample.bin" (single) or "sample" (multi)
	Length       int64      // single-file length; ignored when Files is set
	Files        []FileSpec // multi-file layout; nil makes a single-file torrent
	PieceLength  int64      // default DefaultPieceLength
	Announce     string     // default DefaultAnnounce; may carry a query (?passkey=...)
	AnnounceList [][]string // BEP 12 tiers; omitted when nil
	Comment      string     // top-level "comment"; omitted when empty

	// NoAnnounce leaves the announce key out: a BEP 12 torrent that names
	// its trackers only in AnnounceList (which must then hold a URL).
	// Torrent.Announce is "" and TrackerURL gives the first tier's URL.
	NoAnnounce bool

	// Extra info keys. They change the info hash, which is the point:
	// private trackers and cross-seeding tools rely on that.
	Private bool   // info.private = 1 (BEP 27)
	Source  string // info.source (as mktorrent -s writes it); omitted when empty

	// UnsortedInfo writes the info dictionary's keys in reverse order. BEP 3
	// says keys are sorted, but such files exist; a client must hash the
	// bytes as they are, so re-encoding the decoded dict gives a different
	// (wrong) info hash for this torrent.
	UnsortedInfo bool
}

// File is one file of a torrent, with its place in the content.
type File struct {
	Path   []string // inside the torrent (without the torrent's name)
	Length int64
	Offset int64 // where the file starts in the concatenated content
}

// Torrent is a built .torrent file together with everything a test wants to
// check against: the exact bytes, the info hash, the piece hashes and the
// content they describe.
type Torrent struct {
	Bytes        []byte   // the .torrent file
	InfoBytes    []byte   // the exact bytes of the info dictionary inside Bytes
	InfoHash     [20]byte // sha1(InfoBytes)
	Announce     string   // the announce key; "" when Options.NoAnnounce left it out
	AnnounceList [][]string
	Name         string
	PieceLength  int64
	Length       int64      // total length of the content
	Files        []File     // nil for a single-file torrent
	Pieces       [][20]byte // SHA-1 of each piece of Content
	Private      bool
	Source       string
	Content      Content // the payload: all files concatenated in order
}

// Build makes a valid torrent as described by o.
func Build(o Options) (*Torrent, error) {
	t := &Torrent{
		Announce:     o.Announce,
		AnnounceList: o.AnnounceList,
		Name:         o.Name,
		PieceLength:  o.PieceLength,
		Private:      o.Private,
		Source:       o.Source,
	}
	switch {
	case o.NoAnnounce && o.Announce != "":
		return nil, errors.New("torrentfile: NoAnnounce with an Announce URL")
	case o.NoAnnounce && firstURL(o.AnnounceList) == "":
		return nil, errors.New("torrentfile: NoAnnounce needs a URL in AnnounceList")
	case t.Announce == "" && !o.NoAnnounce:
		t.Announce = DefaultAnnounce
	}
	if t.PieceLength == 0 {
		t.PieceLength = DefaultPieceLength
	}
	if t.PieceLength < 0 {
		return nil, fmt.Errorf("torrentfile: piece length %d", t.PieceLength)
	}
	if o.Files == nil {
		if o.Length <= 0 {
			return nil, fmt.Errorf("torrentfile: length %d (want > 0)", o.Length)
		}
		t.Length = o.Length
		if t.Name == "" {
			t.Name = "sample.bin"
		}
	} else {
		if len(o.Files) == 0 {
			return nil, errors.New("torrentfile: Files is empty")
		}
		for _, f := range o.Files {
			if f.Length < 0 || len(f.Path) == 0 {
				return nil, fmt.Errorf("torrentfile: bad file %q (%d bytes)", f.Path, f.Length)
			}
			t.Files = append(t.Files, File{Path: slices.Clone(f.Path), Length: f.Length, Offset: t.Length})
			t.Length += f.Length
		}
		if t.Length == 0 {
			return nil, errors.New("torrentfile: files hold no bytes")
		}
		if t.Name == "" {
			t.Name = "sample"
		}
	}
	t.Content = Content{Seed: o.Seed, Size: t.Length}
	if err := t.hashPieces(); err != nil {
		return nil, err
	}
	var err error
	if t.InfoBytes, err = encodeDict(t.infoPairs(), o.UnsortedInfo); err != nil {
		return nil, err
	}
	t.InfoHash = sha1.Sum(t.InfoBytes)
	top := []pair{{"info", raw(t.InfoBytes)}}
	if !o.NoAnnounce {
		top = append([]pair{{"announce", t.Announce}}, top...)
	}
	if t.AnnounceList != nil {
		top = append(top, pair{"announce-list", tiers(t.AnnounceList)})
	}
	if o.Comment != "" {
		top = append(top, pair{"comment", o.Comment})
	}
	if t.Bytes, err = encodeDict(top, false); err != nil {
		return nil, err
	}
	return t, nil
}

// MustBuild is Build for tests: it fails tb on error.
func MustBuild(tb testing.TB, o Options) *Torrent {
	tb.Helper()
	t, err := Build(o)
	if err != nil {
		tb.Fatalf("building test torrent: %v", err)
	}
	return t
}

// Sample returns a small single-file torrent whose last piece is short:
// 92063 bytes (the course's sample length) in 16 KiB pieces, so 6 pieces, the
// last one 10143 bytes.
func Sample(tb testing.TB) *Torrent {
	tb.Helper()
	return MustBuild(tb, Options{Seed: 1, Name: "sample.txt", Length: 92063, PieceLength: 16384})
}

// SampleMulti returns a small multi-file torrent with nested paths, an empty
// file, and files that straddle piece boundaries.
func SampleMulti(tb testing.TB) *Torrent {
	tb.Helper()
	return MustBuild(tb, Options{Seed: 2, Name: "album", PieceLength: 32768, Files: []FileSpec{
		{Path: []string{"README.txt"}, Length: 1200},
		{Path: []string{"disc 1", "01 intro.flac"}, Length: 70000},
		{Path: []string{"disc 1", "02 theme.flac"}, Length: 33333},
		{Path: []string{"disc 2", "empty.cue"}, Length: 0},
		{Path: []string{"disc 2", "art", "cover.jpg"}, Length: 12345},
	}})
}

// TrackerURL is the URL a client shows as the torrent's tracker: Announce,
// or when the torrent has no announce key, the first URL of AnnounceList
// (BEP 12: announce-list replaces announce).
func (t *Torrent) TrackerURL() string {
	if t.Announce != "" {
		return t.Announce
	}
	return firstURL(t.AnnounceList)
}

// firstURL is the first non-empty URL of BEP 12 tiers, or "".
func firstURL(tiers [][]string) string {
	for _, tier := range tiers {
		for _, u := range tier {
			if u != "" {
				return u
			}
		}
	}
	return ""
}

// InfoHashHex is the info hash as 40 lower-case hex digits.
func (t *Torrent) InfoHashHex() string { return hex.EncodeToString(t.InfoHash[:]) }

// PieceHashHex is piece i's hash as 40 lower-case hex digits.
func (t *Torrent) PieceHashHex(i int) string { return hex.EncodeToString(t.Pieces[i][:]) }

// NumPieces is the number of pieces.
func (t *Torrent) NumPieces() int { return len(t.Pieces) }

// PieceSize is the length of piece i: PieceLength, except the last piece,
// which holds what is left.
func (t *Torrent) PieceSize(i int) int64 {
	return min(t.PieceLength, t.Length-int64(i)*t.PieceLength)
}

// Piece returns the bytes of piece i.
func (t *Torrent) Piece(i int) []byte {
	return t.Content.Range(int64(i)*t.PieceLength, t.PieceSize(i))
}

// PiecesString is info.pieces: every piece hash concatenated.
func (t *Torrent) PiecesString() string {
	var b bytes.Buffer
	for _, h := range t.Pieces {
		b.Write(h[:])
	}
	return b.String()
}

func (t *Torrent) hashPieces() error {
	n := t.Length / t.PieceLength
	if t.Length%t.PieceLength != 0 {
		n++
	}
	t.Pieces = make([][20]byte, n)
	h := sha1.New()
	for i := range t.Pieces {
		h.Reset()
		size := t.PieceSize(i)
		if _, err := io.Copy(h, io.NewSectionReader(t.Content, int64(i)*t.PieceLength, size)); err != nil {
			return fmt.Errorf("torrentfile: hash piece %d: %w", i, err)
		}
		h.Sum(t.Pieces[i][:0])
	}
	return nil
}

// infoPairs is the info dictionary in canonical (sorted) key order.
func (t *Torrent) infoPairs() []pair {
	var info []pair
	if t.Files != nil {
		files := make([]any, len(t.Files))
		for i, f := range t.Files {
			files[i] = map[string]any{"length": f.Length, "path": list(f.Path)}
		}
		info = append(info, pair{"files", files})
	} else {
		info = append(info, pair{"length", t.Length})
	}
	info = append(info, pair{"name", t.Name}, pair{"piece length", t.PieceLength}, pair{"pieces", t.PiecesString()})
	if t.Private {
		info = append(info, pair{"private", int64(1)})
	}
	if t.Source != "" {
		info = append(info, pair{"source", t.Source})
	}
	return info
}

// WriteTorrent writes the .torrent file into a fresh temporary directory of
// tb and returns its path.
func (t *Torrent) WriteTorrent(tb testing.TB) string {
	tb.Helper()
	return WriteTemp(tb, "test.torrent", t.Bytes)
}

// WriteTemp writes data to a file called name in a fresh temporary directory
// of tb (removed when the test ends) and returns its path.
func WriteTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatalf("writing %s: %v", path, err)
	}
	return path
}

// ContentPath is where the payload lives under dir, as a client lays it out:
// dir/Name for a single file, the directory dir/Name for a multi-file torrent.
func (t *Torrent) ContentPath(dir string) string { return filepath.Join(dir, t.Name) }

// FilePath is where file i of a multi-file torrent lives under dir.
func (t *Torrent) FilePath(dir string, i int) string {
	return filepath.Join(append([]string{dir, t.Name}, t.Files[i].Path...)...)
}

// WriteContent writes the payload under dir as a seeding client expects it
// (see ContentPath), streaming it so big torrents need little memory.
func (t *Torrent) WriteContent(dir string) error {
	if t.Files == nil {
		return writeSection(t.ContentPath(dir), t.Content, 0, t.Length)
	}
	for i, f := range t.Files {
		if err := writeSection(t.FilePath(dir, i), t.Content, f.Offset, f.Length); err != nil {
			return err
		}
	}
	return nil
}

// VerifyContent checks that path holds exactly the payload: the file itself
// for a single-file torrent, the directory's files for a multi-file one. The
// error names the first file and offset that differ.
func (t *Torrent) VerifyContent(path string) error {
	if t.Files == nil {
		return verifySection(path, t.Content, 0, t.Length)
	}
	for i, f := range t.Files {
		p := filepath.Join(append([]string{path}, t.Files[i].Path...)...)
		if err := verifySection(p, t.Content, f.Offset, f.Length); err != nil {
			return err
		}
	}
	return nil
}

func writeSection(path string, c Content, off, n int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, io.NewSectionReader(c, off, n)); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func verifySection(path string, c Content, off, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != n {
		return fmt.Errorf("%s: %d bytes, want %d", path, st.Size(), n)
	}
	const chunk = 1 << 20
	got, want := make([]byte, chunk), make([]byte, chunk)
	for pos := int64(0); pos < n; pos += chunk {
		size := int(min(chunk, n-pos))
		if _, err := io.ReadFull(f, got[:size]); err != nil {
			return fmt.Errorf("%s: read at %d: %w", path, pos, err)
		}
		_, _ = c.ReadAt(want[:size], off+pos)
		if i := firstDiff(got[:size], want[:size]); i >= 0 {
			return fmt.Errorf("%s: byte %d is %#02x, want %#02x", path, pos+int64(i), got[i], want[i])
		}
	}
	return nil
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// pair is one dictionary entry; encodeDict writes pairs in the order given
// (sorted first unless unsorted), each value encoded by bencode-go except raw
// values, which are written verbatim.
type pair struct {
	key   string
	value any
}

// raw is already-encoded bencode, spliced in as is.
type raw []byte

func encodeDict(pairs []pair, unsorted bool) ([]byte, error) {
	pairs = slices.Clone(pairs)
	slices.SortFunc(pairs, func(a, b pair) int {
		if unsorted {
			a, b = b, a
		}
		return bytes.Compare([]byte(a.key), []byte(b.key))
	})
	var buf bytes.Buffer
	buf.WriteByte('d')
	for _, p := range pairs {
		if err := bencode.Marshal(&buf, p.key); err != nil {
			return nil, err
		}
		if r, ok := p.value.(raw); ok {
			buf.Write(r)
			continue
		}
		if err := bencode.Marshal(&buf, p.value); err != nil {
			return nil, fmt.Errorf("torrentfile: encode %q: %w", p.key, err)
		}
	}
	buf.WriteByte('e')
	return buf.Bytes(), nil
}

// list converts a path to the []any bencode-go encodes as a list.
func list(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func tiers(t [][]string) []any {
	out := make([]any, len(t))
	for i, tier := range t {
		out[i] = list(tier)
	}
	return out
}
