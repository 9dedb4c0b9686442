package torrentfile

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/jackpal/bencode-go"
)

// Hostile is a .torrent file a client must refuse with a clear error (never a
// panic, a hang or a huge allocation). Each case has exactly one defect; the
// rest of the file is valid.
type Hostile struct {
	Name  string // short and file-name safe; use it as the subtest name
	Why   string // what is wrong, and what goes wrong in a client that accepts it
	Key   string // the key the error message must name; "" when the bytes are not a bencoded dictionary at all
	Bytes []byte
}

// HostileCases returns every hostile torrent: one per rejection rule of the
// metainfo stages (missing or wrongly typed keys, inconsistent pieces, bad
// lengths, path traversal in names and paths, and files that are not
// torrents).
func HostileCases() []Hostile {
	valid := mustBuild(Options{Seed: 7, Name: "hostile.bin", Length: 40000, PieceLength: 16384})
	var cases []Hostile
	notTorrent := func(name, why string, data []byte) {
		cases = append(cases, Hostile{Name: name, Why: why, Bytes: data})
	}
	notTorrent("empty-file", "a zero-byte file is not bencode", []byte{})
	notTorrent("plain-text", "a text file is not bencode", []byte("this is not a torrent\n"))
	notTorrent("top-level-list", "a metainfo file is a dictionary, not a list", []byte("l4:spam4:eggse"))
	notTorrent("trailing-garbage", "bytes after the top-level dictionary mean the file is corrupt or not what it claims",
		append(bytes.Clone(valid.Bytes), "garbage"...))
	notTorrent("truncated", "a file cut in half (an interrupted download of the .torrent)", valid.Bytes[:len(valid.Bytes)/2])
	notTorrent("duplicate-key", "two info.length keys: clients that keep the first and clients that keep the last would disagree about the file",
		duplicateLength(valid))

	single := func(name, key, why string, mutate func(top, info map[string]any)) {
		top, info := singleMaps(valid)
		mutate(top, info)
		cases = append(cases, Hostile{Name: name, Why: why, Key: key, Bytes: marshal(top)})
	}
	single("missing-announce", "announce", "no tracker URL", func(top, _ map[string]any) { delete(top, "announce") })
	single("missing-announce-empty-announce-list", "announce", "no announce, and the announce-list that replaces it (BEP 12) holds no URL",
		func(top, _ map[string]any) { delete(top, "announce"); top["announce-list"] = []any{[]any{}} })
	single("empty-announce", "announce", "announce is an empty string and there is no announce-list: no tracker URL",
		func(top, _ map[string]any) { top["announce"] = "" })
	single("announce-not-string", "announce", "announce is an integer", func(top, _ map[string]any) { top["announce"] = int64(42) })
	single("announce-list-not-list", "announce-list", "announce-list is a string, BEP 12 says a list of tiers",
		func(top, _ map[string]any) { top["announce-list"] = DefaultAnnounce })
	single("announce-list-tier-not-list", "announce-list", "a tier of announce-list is an integer",
		func(top, _ map[string]any) { top["announce-list"] = []any{[]any{DefaultAnnounce}, int64(3)} })
	single("missing-info", "info", "no info dictionary", func(top, _ map[string]any) { delete(top, "info") })
	single("info-not-dict", "info", "info is a string", func(top, _ map[string]any) { top["info"] = "info" })
	single("missing-name", "info.name", "no file name", func(_, info map[string]any) { delete(info, "name") })
	single("name-not-string", "info.name", "name is an integer", func(_, info map[string]any) { info["name"] = int64(1) })
	for _, bad := range badNames {
		single("name-"+bad.label, "info.name", fmt.Sprintf("name %q: %s", bad.value, bad.why),
			func(_, info map[string]any) { info["name"] = bad.value })
	}
	single("missing-piece-length", "info.piece length", "no piece length", func(_, info map[string]any) { delete(info, "piece length") })
	single("piece-length-not-int", "info.piece length", "piece length is a string",
		func(_, info map[string]any) { info["piece length"] = "16384" })
	single("piece-length-zero", "info.piece length", "piece length 0: dividing by it crashes a naive client",
		func(_, info map[string]any) { info["piece length"] = int64(0) })
	single("piece-length-negative", "info.piece length", "piece length -1",
		func(_, info map[string]any) { info["piece length"] = int64(-1) })
	single("piece-length-huge", "info.piece length", "piece length 1 TiB: a client that buffers a piece would allocate it",
		func(_, info map[string]any) { info["piece length"] = int64(1) << 40 })
	single("missing-pieces", "info.pieces", "no piece hashes", func(_, info map[string]any) { delete(info, "pieces") })
	single("pieces-not-string", "info.pieces", "pieces is an integer", func(_, info map[string]any) { info["pieces"] = int64(20) })
	single("pieces-not-multiple-of-20", "info.pieces", "pieces is 61 bytes: the 3 hashes the pieces need and 1 byte over, so a client that rounds 61/20 down and only counts hashes misses it",
		func(_, info map[string]any) { info["pieces"] = valid.PiecesString() + "x" })
	single("pieces-one-short", "info.pieces", "2 hashes for 3 pieces: the last piece could never be verified",
		func(_, info map[string]any) { info["pieces"] = valid.PiecesString()[:40] })
	single("pieces-one-extra", "info.pieces", "4 hashes for 3 pieces",
		func(_, info map[string]any) { info["pieces"] = valid.PiecesString() + valid.PiecesString()[:20] })
	single("missing-length", "info.length", "neither length (single file) nor files (multi-file)",
		func(_, info map[string]any) { delete(info, "length") })
	single("length-not-int", "info.length", "length is a string", func(_, info map[string]any) { info["length"] = "40000" })
	single("length-negative", "info.length", "length -1", func(_, info map[string]any) { info["length"] = int64(-1) })
	single("length-huge", "info.pieces", "length 2^62 bytes with 3 piece hashes: the piece count does not match the length",
		func(_, info map[string]any) { info["length"] = int64(1) << 62 })
	single("length-max-int64", "info.pieces", "length MaxInt64 with piece length 1: ceil(length/piece length) overflows when computed as (length+pl-1)/pl",
		func(_, info map[string]any) { info["length"], info["piece length"] = int64(math.MaxInt64), int64(1) })
	single("length-and-files", "info.files", "both length and files: is it one file or many?",
		func(_, info map[string]any) {
			info["files"] = []any{map[string]any{"length": int64(40000), "path": []any{"a.bin"}}}
		})

	multi := func(name, key, why string, mutate func(info map[string]any, files []any)) {
		top, info := multiMaps(valid)
		mutate(info, info["files"].([]any))
		cases = append(cases, Hostile{Name: name, Why: why, Key: key, Bytes: marshal(top)})
	}
	file := func(files []any, i int) map[string]any { return files[i].(map[string]any) }
	multi("files-not-list", "info.files", "files is a dictionary", func(info map[string]any, _ []any) {
		info["files"] = map[string]any{"length": int64(40000)}
	})
	multi("files-empty", "info.files", "a multi-file torrent with no files", func(info map[string]any, _ []any) { info["files"] = []any{} })
	multi("file-not-dict", "info.files[1]", "a file entry is a string", func(_ map[string]any, files []any) { files[1] = "b.bin" })
	multi("file-missing-length", "info.files[1].length", "a file without length", func(_ map[string]any, files []any) {
		delete(file(files, 1), "length")
	})
	multi("file-length-not-int", "info.files[1].length", "a file length that is a string", func(_ map[string]any, files []any) {
		file(files, 1)["length"] = "30000"
	})
	multi("file-length-negative", "info.files[1].length", "a file of -1 bytes", func(_ map[string]any, files []any) {
		file(files, 1)["length"] = int64(-1)
	})
	multi("files-total-overflow", "info.files[1].length", "file lengths whose sum overflows int64 and wraps to a small number",
		func(_ map[string]any, files []any) {
			file(files, 0)["length"] = int64(math.MaxInt64)
			file(files, 1)["length"] = int64(math.MaxInt64)
		})
	multi("file-missing-path", "info.files[1].path", "a file without path", func(_ map[string]any, files []any) {
		delete(file(files, 1), "path")
	})
	multi("file-path-not-list", "info.files[1].path", "path is a string, BEP 3 says a list of path elements",
		func(_ map[string]any, files []any) { file(files, 1)["path"] = "dir/b.bin" })
	multi("file-path-empty-list", "info.files[1].path", "path is an empty list: the file has no name",
		func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{} })
	multi("file-path-element-not-string", "info.files[1].path", "a path element is an integer",
		func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{"dir", int64(7)} })
	for _, bad := range badNames {
		multi("file-path-"+bad.label, "info.files[1].path", fmt.Sprintf("path element %q: %s", bad.value, bad.why),
			func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{"dir", bad.value, "b.bin"} })
	}
	multi("file-path-traversal", "info.files[1].path", `path ["..", "..", ".bashrc"]: writes outside the download directory`,
		func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{"..", "..", ".bashrc"} })
	multi("file-path-repeated", "info.files[1].path", `two files named "a.bin": the second overwrites the first`,
		func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{"a.bin"} })
	multi("file-path-inside-file", "info.files[1].path", `"a.bin/b.bin" needs a directory "a.bin", but "a.bin" is a file`,
		func(_ map[string]any, files []any) { file(files, 1)["path"] = []any{"a.bin", "b.bin"} })
	multi("file-path-is-a-directory", "info.files[1].path", `"dir" is a file, but info.files[0] "dir/a.bin" needs a directory "dir"`,
		func(_ map[string]any, files []any) {
			file(files, 0)["path"] = []any{"dir", "a.bin"}
			file(files, 1)["path"] = []any{"dir"}
		})
	multi("multi-name-dotdot", "info.name", `name "..": the torrent's directory would be the parent of the download directory`,
		func(info map[string]any, _ []any) { info["name"] = ".." })
	return cases
}

// badNames are names and path elements a client must refuse: each would let
// a torrent write somewhere other than inside its own directory.
var badNames = []struct{ label, value, why string }{
	{"empty", "", "an empty element names the directory itself"},
	{"dot", ".", `"." names the directory itself`},
	{"dotdot", "..", `".." climbs out of the download directory`},
	{"absolute", "/etc/passwd", "an absolute path ignores the download directory"},
	{"slash", "a/b", `"/" hides two path elements in one (the list form exists so no separator is needed)`},
	{"backslash", `a\b`, `"\" is a separator on Windows`},
}

// singleMaps returns valid's metainfo as maps to mutate.
func singleMaps(valid *Torrent) (top, info map[string]any) {
	info = map[string]any{
		"name":         valid.Name,
		"length":       valid.Length,
		"piece length": valid.PieceLength,
		"pieces":       valid.PiecesString(),
	}
	return map[string]any{"announce": valid.Announce, "info": info}, info
}

// multiMaps returns a valid two-file torrent with the same content and pieces
// as valid: a.bin (10000 bytes) and dir/b.bin (the rest).
func multiMaps(valid *Torrent) (top, info map[string]any) {
	top, info = singleMaps(valid)
	delete(info, "length")
	info["name"] = "hostile"
	info["files"] = []any{
		map[string]any{"length": int64(10000), "path": []any{"a.bin"}},
		map[string]any{"length": valid.Length - 10000, "path": []any{"dir", "b.bin"}},
	}
	return top, info
}

// duplicateLength is valid's metainfo with info.length written twice.
func duplicateLength(valid *Torrent) []byte {
	info, err := encodeDict([]pair{
		{"length", valid.Length}, {"length", valid.Length + 1}, {"name", valid.Name},
		{"piece length", valid.PieceLength}, {"pieces", valid.PiecesString()},
	}, false)
	if err != nil {
		panic(err) // static input: cannot fail
	}
	data, err := encodeDict([]pair{{"announce", valid.Announce}, {"info", raw(info)}}, false)
	if err != nil {
		panic(err)
	}
	return data
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	if err := bencode.Marshal(&buf, v); err != nil {
		panic(err) // maps of strings, ints and lists: cannot fail
	}
	return buf.Bytes()
}

func mustBuild(o Options) *Torrent {
	t, err := Build(o)
	if err != nil {
		panic(err) // fixed options: cannot fail
	}
	return t
}

// HostileInfoCases returns the hostile torrents whose defect is inside the
// info dictionary (Key "info" or "info.…"), with Bytes the info dictionary
// alone, as a peer would serve it as metadata (BEP 9): it hashes right (the
// magnet link's info hash is its SHA-1), but a client must refuse it as a
// torrent with the same error as the .torrent file.
func HostileInfoCases() []Hostile {
	var cases []Hostile
	for _, h := range HostileCases() {
		if h.Key != "info" && !strings.HasPrefix(h.Key, "info.") {
			continue
		}
		top, err := bencode.Decode(bytes.NewReader(h.Bytes))
		if err != nil {
			continue
		}
		info, ok := top.(map[string]any)["info"]
		if !ok {
			continue // missing-info: nothing to serve
		}
		h.Bytes = marshal(info)
		cases = append(cases, h)
	}
	return cases
}
