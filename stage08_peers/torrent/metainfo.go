// Package torrent reads metainfo (.torrent) files: the tracker URL, the file
// name(s) and lengths, and the piece hashes that let a client check every
// downloaded piece (BEP 3, https://www.bittorrent.org/beps/bep_0003.html;
// announce-list tiers: BEP 12, https://www.bittorrent.org/beps/bep_0012.html).
//
// A .torrent file is one bencoded dictionary:
//
//	d
//	  8:announce  35:http://127.0.0.1:6969/announce
//	  4:info d
//	    6:length       i92063e      (or 5:files, a list of {length, path})
//	    4:name         10:sample.txt
//	    12:piece length i16384e
//	    6:pieces       120:<6 SHA-1 hashes, 20 bytes each>
//	  e
//	e
//
// Parse checks everything a client relies on later and rejects the rest with
// a *KeyError naming the key, so a hostile file never reaches the code that
// allocates buffers or creates files.
package torrent

import (
	"crypto/sha1"
	"fmt"
	"io"
	"os"

	"workbook/stage08_peers/bencode"
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
	// Announce is the tracker URL: the announce key or, in a torrent that
	// names its trackers only in announce-list (BEP 12 allows leaving
	// announce out), the first URL of the first tier.
	Announce     string
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
// Errors are *KeyError when a key is missing, has the wrong type or holds a
// value a client must refuse, and wrapped *bencode.SyntaxError when data is
// not one bencoded dictionary.
func Parse(data []byte) (*Metainfo, error) {
	// RawFields keeps each top-level value's exact bytes: the info hash is
	// computed from them, not from a re-encoding.
	fields, err := bencode.RawFields(data)
	if err != nil {
		return nil, fmt.Errorf("torrent: not a metainfo file: %w", err)
	}
	top, err := decodeFields(fields)
	if err != nil {
		return nil, err
	}
	var m Metainfo
	if m.AnnounceList, err = top.announceList("announce-list"); err != nil {
		return nil, err
	}
	if m.Announce, err = announce(top, m.AnnounceList); err != nil {
		return nil, err
	}
	info, err := top.dict("info")
	if err != nil {
		return nil, err
	}
	if m.Info, err = parseInfo(info); err != nil {
		return nil, err
	}
	m.InfoHash = sha1.Sum(fields["info"])
	return &m, nil
}

// decodeFields decodes the top-level values the client uses. Other keys
// (comment, created by, creation date, encoding, ...) are left alone.
func decodeFields(fields map[string]bencode.Raw) (dict, error) {
	top := dict{values: map[string]any{}}
	for _, key := range []string{"announce", "announce-list", "info"} {
		raw, ok := fields[key]
		if !ok {
			continue
		}
		v, err := bencode.Decode(raw)
		if err != nil { // cannot happen: RawFields checked every value
			return dict{}, keyErrorf(key, "%w", err)
		}
		top.values[key] = v
	}
	return top, nil
}

// announce returns the tracker URL. BEP 12: when announce-list is present
// it replaces announce, so announce may be left out (or be empty); then the
// first URL of the first tier stands in for it. A torrent that names no
// tracker at all is refused.
func announce(top dict, tiers [][]string) (string, error) {
	if top.has("announce") {
		url, err := top.string("announce")
		if err != nil || url != "" {
			return url, err
		}
	}
	for _, tier := range tiers {
		for _, u := range tier {
			if u != "" {
				return u, nil
			}
		}
	}
	switch {
	case top.has("announce"):
		return "", keyErrorf("announce", "empty, and no announce-list names a tracker")
	case len(tiers) == 0:
		return "", keyErrorf("announce", "missing")
	default:
		return "", keyErrorf("announce", "missing, and announce-list holds no URL")
	}
}
