package torrent

import (
	"crypto/sha1"
	"fmt"
	"math"
	"strings"

	"workbook/stage17_metadata_receive/bencode"
)

// maxPieceLength bounds info.piece length. BEP 3 sets no limit; real tools
// stop at 2^28 (mktorrent -l 28), and a client holds a piece in memory to
// check its hash, so a bigger value is refused rather than allocated.
const maxPieceLength = 1 << 28

// parseInfo reads and checks the info dictionary.
func parseInfo(d bencode.Dict) (Info, error) {
	var info Info
	var err error
	if info.Name, err = d.String("name"); err != nil {
		return Info{}, err
	}
	if err := checkName(info.Name); err != nil {
		return Info{}, d.Errorf("name", "%w", err)
	}
	if info.PieceLength, err = d.Int("piece length"); err != nil {
		return Info{}, err
	}
	if info.PieceLength <= 0 {
		return Info{}, d.Errorf("piece length", "must be positive, got %d", info.PieceLength)
	}
	if info.PieceLength > maxPieceLength {
		return Info{}, d.Errorf("piece length", "%d is more than the maximum, %d", info.PieceLength, maxPieceLength)
	}
	pieces, err := d.String("pieces")
	if err != nil {
		return Info{}, err
	}
	if len(pieces)%sha1.Size != 0 {
		return Info{}, d.Errorf("pieces", "%d bytes is not a whole number of %d-byte SHA-1 hashes", len(pieces), sha1.Size)
	}
	info.Pieces = []byte(pieces)

	// BEP 3: a single-file torrent has length, a multi-file one has files.
	switch {
	case d.Has("length") && d.Has("files"):
		return Info{}, d.Errorf("files", "present together with %s: a torrent has one or the other", d.Key("length"))
	case d.Has("files"):
		if info.Files, info.Length, err = parseFiles(d); err != nil {
			return Info{}, err
		}
	case !d.Has("length"):
		return Info{}, d.Errorf("length", "missing (a single-file torrent has length, a multi-file one has files)")
	default:
		if info.Length, err = d.Int("length"); err != nil {
			return Info{}, err
		}
		if info.Length <= 0 {
			return Info{}, d.Errorf("length", "must be positive, got %d", info.Length)
		}
	}

	// One hash per piece, no more, no fewer. Written without
	// (Length+PieceLength-1)/PieceLength, which overflows for huge lengths.
	want := info.Length / info.PieceLength
	if info.Length%info.PieceLength != 0 {
		want++
	}
	if got := int64(len(info.Pieces) / sha1.Size); got != want {
		return Info{}, d.Errorf("pieces", "holds %d hashes, but length %d in pieces of %d needs %d",
			got, info.Length, info.PieceLength, want)
	}
	return info, nil
}

// parseFiles reads info.files and returns the files and their total length.
func parseFiles(d bencode.Dict) ([]File, int64, error) {
	list, err := d.List("files")
	if err != nil {
		return nil, 0, err
	}
	if len(list) == 0 {
		return nil, 0, d.Errorf("files", "empty list")
	}
	files := make([]File, len(list))
	var total int64
	for i, v := range list {
		fd, err := bencode.AsDict(fmt.Sprintf("%s[%d]", d.Key("files"), i), v)
		if err != nil {
			return nil, 0, err
		}
		if files[i], err = parseFile(fd); err != nil {
			return nil, 0, err
		}
		if files[i].Length > math.MaxInt64-total {
			return nil, 0, fd.Errorf("length", "total length of the files overflows")
		}
		total += files[i].Length
	}
	if total == 0 {
		return nil, 0, d.Errorf("files", "files hold no bytes")
	}
	if err := checkClashes(d, files); err != nil {
		return nil, 0, err
	}
	return files, total, nil
}

// checkClashes rejects two files with the same path, and a file whose path
// runs through another file ("x" and "x/y"): the client could not create
// both, and the second would overwrite or break the first. Path elements
// hold no separator (checkName), so joining them with "/" is unambiguous.
func checkClashes(d bencode.Dict, files []File) error {
	key := d.Key("files")
	fileAt := make(map[string]int) // joined path -> index of the file there
	dirOf := make(map[string]int)  // joined directory -> first file inside it
	for i, f := range files {
		path := strings.Join(f.Path, "/")
		pathKey := fmt.Sprintf("files[%d].path", i)
		if j, ok := fileAt[path]; ok {
			return d.Errorf(pathKey, "%q repeats %s[%d]", path, key, j)
		}
		if j, ok := dirOf[path]; ok {
			return d.Errorf(pathKey, "%q is a directory of %s[%d] (%q)", path, key, j, strings.Join(files[j].Path, "/"))
		}
		for n := 1; n < len(f.Path); n++ {
			dir := strings.Join(f.Path[:n], "/")
			if j, ok := fileAt[dir]; ok {
				return d.Errorf(pathKey, "%q is inside file %q (%s[%d])", path, dir, key, j)
			}
			if _, ok := dirOf[dir]; !ok {
				dirOf[dir] = i
			}
		}
		fileAt[path] = i
	}
	return nil
}

// parseFile reads one entry of info.files.
func parseFile(d bencode.Dict) (File, error) {
	length, err := d.Int("length")
	if err != nil {
		return File{}, err
	}
	if length < 0 {
		return File{}, d.Errorf("length", "must not be negative, got %d", length)
	}
	elems, err := d.List("path")
	if err != nil {
		return File{}, err
	}
	if len(elems) == 0 {
		return File{}, d.Errorf("path", "empty list")
	}
	path := make([]string, len(elems))
	for i, e := range elems {
		s, ok := e.(string)
		if !ok {
			return File{}, d.Errorf("path", "element %d: want a string, got %s", i, bencode.Kind(e))
		}
		if err := checkName(s); err != nil {
			return File{}, d.Errorf("path", "element %d: %w", i, err)
		}
		path[i] = s
	}
	return File{Path: path, Length: length}, nil
}

// NumPieces is the number of pieces (and of hashes in Pieces).
func (i *Info) NumPieces() int { return len(i.Pieces) / sha1.Size }

// ParseInfo parses an info dictionary on its own, such as the metadata a
// magnet link's peers send (BEP 9): the same checks as Parse, errors
// naming keys under "info.".
func ParseInfo(data []byte) (Info, error) {
	v, err := bencode.Decode(data)
	if err != nil {
		return Info{}, fmt.Errorf("torrent: info dictionary: %w", err)
	}
	d, err := bencode.AsDict("info", v)
	if err != nil {
		return Info{}, fmt.Errorf("torrent: %w", err)
	}
	info, err := parseInfo(d)
	if err != nil {
		return Info{}, fmt.Errorf("torrent: %w", err)
	}
	return info, nil
}
