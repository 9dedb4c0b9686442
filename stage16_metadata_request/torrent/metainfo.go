package torrent

import (
	"crypto/sha1"
	"fmt"
	"io"
	"os"

	"workbook/stage16_metadata_request/bencode"
)

// MaxFileSize bounds the size of a .torrent file Open reads. Real ones are a
// few kilobytes to a few megabytes; the pieces string of a 1 TiB torrent with
// 1 MiB pieces is 20 MiB.
const MaxFileSize = 64 << 20

// File is one file of a multi-file torrent.
type File struct {
	Path   []string // path inside the torrent's directory (Info.Name), one element per directory level
	Length int64
}

// Info is the info dictionary: what is shared, cut into pieces.
type Info struct {
	Name        string // file name (single file) or directory name (multi-file)
	PieceLength int64  // bytes per piece; the last piece may be shorter
	Pieces      []byte // concatenated 20-byte SHA-1 hashes, one per piece
	Length      int64  // total bytes: the file's length, or the sum of Files
	Files       []File // nil for a single-file torrent
}

// Metainfo is a parsed .torrent file.
type Metainfo struct {
	// TrackerURL is the announce key or, in a torrent that names its
	// trackers only in announce-list (BEP 12 allows leaving announce out),
	// the first URL of the first tier.
	TrackerURL   string
	AnnounceList [][]string // BEP 12 tiers of tracker URLs; nil when absent
	Info         Info

	// InfoHash identifies the torrent everywhere (tracker requests, the
	// peer handshake): the SHA-1 of the info dictionary's bytes exactly as
	// they are in the file. Never re-encode the decoded dictionary to get
	// them: unsorted keys or keys this client does not know would change
	// the bytes, and with them the hash.
	InfoHash [20]byte
}

// Open reads and parses the .torrent file at path. Errors name the path.
func Open(path string) (*Metainfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError: "open <path>: no such file or directory"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, larger than %d: not a .torrent file", path, st.Size(), MaxFileSize)
	}
	// Not a regular file (a pipe, a device): read at most one byte past the
	// limit, enough to know it is too big without reading all of it.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err // *PathError: "read <path>: is a directory"
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a .torrent file", path, MaxFileSize)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Parse parses the bytes of a .torrent file.
//
// Errors wrap a *bencode.KeyError when a key is missing, has the wrong type
// or holds a value a client must refuse, and a *bencode.SyntaxError when
// data is not one bencoded dictionary.
func Parse(data []byte) (*Metainfo, error) {
	values, raw, err := bencode.RawFields(data)
	if err != nil {
		return nil, fmt.Errorf("torrent: not a metainfo file: %w", err)
	}
	m, err := parse(bencode.Dict{Values: values})
	if err != nil {
		return nil, fmt.Errorf("torrent: %w", err)
	}
	m.InfoHash = sha1.Sum(raw["info"])
	return m, nil
}

// parse reads the keys the client uses from the top-level dictionary.
// Other keys (comment, created by, creation date, encoding, ...) are left
// alone.
func parse(top bencode.Dict) (*Metainfo, error) {
	var m Metainfo
	var err error
	if m.AnnounceList, err = announceList(top); err != nil {
		return nil, err
	}
	if m.TrackerURL, err = trackerURL(top, m.AnnounceList); err != nil {
		return nil, err
	}
	info, err := top.Dict("info")
	if err != nil {
		return nil, err
	}
	if m.Info, err = parseInfo(info); err != nil {
		return nil, err
	}
	return &m, nil
}

// announceList reads BEP 12 tiers: a list of lists of URLs. Absent is fine.
func announceList(top bencode.Dict) ([][]string, error) {
	const key = "announce-list"
	if !top.Has(key) {
		return nil, nil
	}
	tiers, err := top.List(key)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(tiers))
	for i, tier := range tiers {
		urls, ok := tier.([]any)
		if !ok {
			return nil, top.Errorf(key, "tier %d: want a list of URLs, got %s", i, bencode.Kind(tier))
		}
		for j, u := range urls {
			s, ok := u.(string)
			if !ok {
				return nil, top.Errorf(key, "tier %d, URL %d: want a string, got %s", i, j, bencode.Kind(u))
			}
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// trackerURL returns Metainfo.TrackerURL. BEP 12: when announce-list is
// present it replaces announce, so announce may be left out (or be empty);
// then the first URL of the first tier stands in for it. A torrent that
// names no tracker at all is refused.
func trackerURL(top bencode.Dict, tiers [][]string) (string, error) {
	if top.Has("announce") {
		url, err := top.String("announce")
		if err != nil || url != "" {
			return url, err
		}
	}
	if url := firstURL(tiers); url != "" {
		return url, nil
	}
	switch {
	case top.Has("announce"):
		return "", top.Errorf("announce", "empty, and no announce-list names a tracker")
	case len(tiers) == 0:
		return "", top.Errorf("announce", "missing")
	default:
		return "", top.Errorf("announce", "missing, and announce-list holds no URL")
	}
}

// Tiers returns the trackers to announce to, tier by tier (BEP 12):
// announce-list when it names a URL (it replaces announce), else announce.
func (m *Metainfo) Tiers() [][]string {
	if firstURL(m.AnnounceList) != "" {
		return m.AnnounceList
	}
	return [][]string{{m.TrackerURL}}
}

// firstURL returns the first URL of tiers that is not empty, or "".
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
