package torrentfile

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// realFS holds the torrents made by real programs and what transmission-show
// said about them (see testdata/real/README.md).
//
//go:embed testdata/real
var realFS embed.FS

// Real is a .torrent file written by a real program, with the facts a parser
// must agree with. InfoHash, Name, PieceLength, NumPieces, Tiers, Private and
// the file order come from transmission-show's report; lengths and piece
// hashes are computed here from the committed content.
type Real struct {
	File        string // e.g. "mktorrent-single.torrent"
	Tool        string // transmission-show's "Created by"
	Bytes       []byte
	InfoHash    [20]byte // transmission-show's "Hash"
	Name        string
	PieceLength int64
	NumPieces   int
	Length      int64
	Files       []File     // nil for a single-file torrent
	Tiers       [][]string // announce-list tiers (or the single announce URL)
	Private     bool
	Pieces      [][20]byte // SHA-1 of each piece of the content
	Content     []byte     // the payload, all files concatenated
}

// InfoHashHex is the info hash as 40 lower-case hex digits.
func (r *Real) InfoHashHex() string { return hex.EncodeToString(r.InfoHash[:]) }

// PieceHashHex is piece i's hash as 40 lower-case hex digits.
func (r *Real) PieceHashHex(i int) string { return hex.EncodeToString(r.Pieces[i][:]) }

// RealTorrents returns every real-program torrent, in file-name order.
func RealTorrents() ([]Real, error) {
	const dir = "testdata/real"
	names, err := fs.Glob(realFS, dir+"/*.torrent")
	if err != nil {
		return nil, err
	}
	var out []Real
	for _, name := range names {
		r := Real{File: path.Base(name)}
		if r.Bytes, err = realFS.ReadFile(name); err != nil {
			return nil, err
		}
		show, err := realFS.ReadFile(strings.TrimSuffix(name, ".torrent") + ".show")
		if err != nil {
			return nil, err
		}
		paths, err := r.parseShow(show)
		if err != nil {
			return nil, fmt.Errorf("%s.show: %w", r.File, err)
		}
		if err := r.loadContent(dir+"/content", paths); err != nil {
			return nil, fmt.Errorf("%s: %w", r.File, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// parseShow reads transmission-show's report and returns the listed file
// paths (relative to the content folder, in the torrent's order).
func (r *Real) parseShow(show []byte) (paths []string, err error) {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(show))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case line == "GENERAL" || line == "TRACKERS" || line == "FILES":
			section = line
		case section == "GENERAL":
			key, value, _ := strings.Cut(line, ": ")
			switch key {
			case "Name":
				r.Name = value
			case "Created by":
				r.Tool = value
			case "Hash":
				if _, err := hex.Decode(r.InfoHash[:], []byte(value)); err != nil {
					return nil, fmt.Errorf("hash %q: %w", value, err)
				}
			case "Piece Count":
				if r.NumPieces, err = strconv.Atoi(value); err != nil {
					return nil, err
				}
			case "Piece Size":
				kib, ok := strings.CutSuffix(value, ".00 KiB")
				n, err := strconv.ParseInt(kib, 10, 64)
				if !ok || err != nil {
					return nil, fmt.Errorf("piece size %q", value)
				}
				r.PieceLength = n * 1024
			case "Privacy":
				r.Private = value == "Private torrent"
			}
		case section == "TRACKERS" && strings.HasPrefix(line, "Tier #"):
			r.Tiers = append(r.Tiers, nil)
		case section == "TRACKERS" && len(r.Tiers) > 0:
			r.Tiers[len(r.Tiers)-1] = append(r.Tiers[len(r.Tiers)-1], line)
		case section == "FILES":
			p, _, ok := strings.Cut(line, " (")
			if !ok {
				return nil, fmt.Errorf("file line %q", line)
			}
			paths = append(paths, p)
		}
	}
	if r.Name == "" || r.PieceLength == 0 || len(paths) == 0 || len(r.Tiers) == 0 {
		return nil, fmt.Errorf("incomplete report (name %q, piece size %d, %d files, %d tiers)", r.Name, r.PieceLength, len(paths), len(r.Tiers))
	}
	return paths, sc.Err()
}

// loadContent reads the listed files, records their layout and hashes the pieces.
func (r *Real) loadContent(dir string, paths []string) error {
	multi := len(paths) > 1 || paths[0] != r.Name
	for _, p := range paths {
		data, err := realFS.ReadFile(dir + "/" + p)
		if err != nil {
			return err
		}
		if multi {
			rel := strings.TrimPrefix(p, r.Name+"/")
			r.Files = append(r.Files, File{Path: strings.Split(rel, "/"), Length: int64(len(data)), Offset: r.Length})
		}
		r.Content = append(r.Content, data...)
		r.Length += int64(len(data))
	}
	for off := int64(0); off < r.Length; off += r.PieceLength {
		r.Pieces = append(r.Pieces, sha1.Sum(r.Content[off:min(off+r.PieceLength, r.Length)]))
	}
	if len(r.Pieces) != r.NumPieces {
		return fmt.Errorf("content makes %d pieces, transmission-show says %d", len(r.Pieces), r.NumPieces)
	}
	return nil
}

// PiecesString is info.pieces: every piece hash concatenated.
func (r *Real) PiecesString() string {
	var b strings.Builder
	for _, h := range r.Pieces {
		b.Write(h[:])
	}
	return b.String()
}
