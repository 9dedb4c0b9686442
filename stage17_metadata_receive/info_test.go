package main_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/torrentfile"
)

// infoFacts is what `info` must report about a torrent, taken from the
// test's own record of the file (testkit built it, or a real tool did).
type infoFacts struct {
	announce    string
	name        string
	length      int64
	infoHash    string // 40 hex digits
	pieceLength int64
	pieceHashes []string           // 40 hex digits each
	files       []torrentfile.File // nil for a single file
}

func factsOf(tor *torrentfile.Torrent) infoFacts {
	f := infoFacts{announce: tor.TrackerURL(), name: tor.Name, length: tor.Length, infoHash: tor.InfoHashHex(),
		pieceLength: tor.PieceLength, files: tor.Files}
	for i := range tor.NumPieces() {
		f.pieceHashes = append(f.pieceHashes, tor.PieceHashHex(i))
	}
	return f
}

func factsOfReal(r *torrentfile.Real) infoFacts {
	f := infoFacts{announce: r.Tiers[0][0], name: r.Name, length: r.Length, infoHash: r.InfoHashHex(),
		pieceLength: r.PieceLength, files: r.Files}
	for i := range r.NumPieces {
		f.pieceHashes = append(f.pieceHashes, r.PieceHashHex(i))
	}
	return f
}

// output is the exact text `info` prints: the course's lines, then for a
// multi-file torrent the Files: section (path under the torrent's name, length
// in bytes). No announce (a magnet link without tr): no Tracker URL line.
func (f infoFacts) output() string {
	var b strings.Builder
	if f.announce != "" {
		fmt.Fprintf(&b, "Tracker URL: %s\n", f.announce)
	}
	fmt.Fprintf(&b, "Length: %d\n", f.length)
	fmt.Fprintf(&b, "Info Hash: %s\n", f.infoHash)
	fmt.Fprintf(&b, "Piece Length: %d\n", f.pieceLength)
	b.WriteString("Piece Hashes:\n")
	for _, h := range f.pieceHashes {
		b.WriteString(h + "\n")
	}
	if f.files != nil {
		b.WriteString("Files:\n")
		for _, file := range f.files {
			fmt.Fprintf(&b, "  %s/%s (%d bytes)\n", f.name, strings.Join(file.Path, "/"), file.Length)
		}
	}
	return b.String()
}

// requireInfo runs `info` on the torrent file at path and checks its output:
// exactly this solution's, or in grading mode the lines this stage asks
// for, in this order, with any later stage's lines between them (so a
// program that grows keeps passing; CONTRACT.md).
func requireInfo(t *testing.T, path string, want infoFacts) {
	t.Helper()
	res := cli.Run(t, "info", path)
	hint := "`info` prints the tracker URL (the announce key, or without it the first URL of announce-list), the total length in bytes (info.length, or the sum of info.files), " +
		"the info hash: SHA-1 of the info dictionary's bytes exactly as they are in the file (not re-encoded), in lower-case hex, " +
		"the piece length, and \"Piece Hashes:\" followed by each 20-byte hash of info.pieces as 40 lower-case hex digits on its own line"
	cli.RequireLines(t, res, want.output(), hint)
	if !cli.Grading() {
		require.Equal(t, want.output(), res.Stdout, "%s\n%s", hint, res)
	}
}

func TestInfo(t *testing.T) {
	t.Parallel()
	// A random torrent on every run, so that no hard-coded answer passes.
	seed := rand.Uint64()
	t.Logf("random torrent seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	random := torrentfile.Options{Seed: seed, Name: fmt.Sprintf("file-%d.bin", rng.IntN(1e6)),
		Length: 1 + rng.Int64N(300_000), PieceLength: 1 << (14 + rng.IntN(4)),
		Announce: fmt.Sprintf("http://127.0.0.1:%d/announce", 1024+rng.IntN(60000))}

	cases := append(torrentfile.Cases(), torrentfile.Case{Name: "random single file", Options: random})
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			tor := torrentfile.MustBuild(t, tc.Options)
			requireInfo(t, tor.WriteTorrent(t), factsOf(tor))
		})
	}
}

// TestInfoRealTorrents runs `info` on files written by mktorrent and
// transmission-create (testkit/torrentfile/testdata/real).
func TestInfoRealTorrents(t *testing.T) {
	t.Parallel()
	reals, err := torrentfile.RealTorrents()
	require.NoError(t, err)
	for _, r := range reals {
		t.Run(r.File, func(t *testing.T) {
			t.Parallel()
			requireInfo(t, torrentfile.WriteTemp(t, r.File, r.Bytes), factsOfReal(&r))
		})
	}
}

// TestInfoHostile runs `info` on every hostile torrent: each must fail with
// exit code 1 and one line on stderr that names the bad key.
func TestInfoHostile(t *testing.T) {
	t.Parallel()
	for _, h := range torrentfile.HostileCases() {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			path := torrentfile.WriteTemp(t, h.Name+".torrent", h.Bytes)
			res := cli.Run(t, "info", path)
			require.Equal(t, 1, res.ExitCode, "a torrent with this defect must be refused with exit code 1: %s\n%s", h.Why, res)
			require.Empty(t, res.Stdout, "print nothing on stdout for a refused torrent\n%s", res)
			require.True(t, strings.HasPrefix(res.Stderr, "error: ") && strings.Count(res.Stderr, "\n") == 1,
				"want one line on stderr starting with \"error: \" (no stack trace)\n%s", res)
			if h.Key != "" {
				keys := append([]string{h.Key, keyName(h.Key)}, alsoInvolved[h.Name]...)
				cli.RequireMentionsAny(t, res, res.Stderr, keys, "the error should name the key that is wrong ("+h.Why+")")
				if !cli.Grading() {
					require.Contains(t, res.Stderr, h.Key, "this solution names the key by its full path")
				}
			}
		})
	}
}

// keyName is the last key of a dotted key path: "info.files[1].length" is
// "length", "info.files[1]" is "files". A program may name a key without
// its path.
func keyName(path string) string {
	name := path[strings.LastIndex(path, ".")+1:]
	if i := strings.Index(name, "["); i > 0 {
		name = name[:i]
	}
	return name
}

// alsoInvolved lists, for the hostile torrents whose fault lies between
// keys, the other keys a program may blame: a piece length of 1 TiB, say,
// is as well refused as a "pieces" count that does not match it.
var alsoInvolved = map[string][]string{
	"missing-announce-empty-announce-list": {"announce-list"},
	"piece-length-huge":                    {"pieces"},
	"pieces-one-short":                     {"length", "piece length"},
	"pieces-one-extra":                     {"length", "piece length"},
	"missing-length":                       {"files"},
	"length-huge":                          {"length"},
	"length-max-int64":                     {"length", "piece length"},
	"length-and-files":                     {"length"},
	"files-total-overflow":                 {"pieces"},
}

func TestInfoMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no-such.torrent")
	res := cli.Run(t, "info", path)
	require.Equal(t, 1, res.ExitCode, "a missing file is an error (exit code 1)\n%s", res)
	require.Contains(t, res.Stderr, path, "the error should name the file\n%s", res)
	cli.RequireMentionsAny(t, res, res.Stderr, []string{"no such file or directory"}, "print the operating system's error")
}

func TestInfoUsage(t *testing.T) {
	t.Parallel()
	tor := torrentfile.Sample(t)
	path := tor.WriteTorrent(t)
	for _, args := range [][]string{{"info"}, {"info", path, path}} {
		res := cli.Run(t, args...)
		require.Equal(t, 2, res.ExitCode, "`%s` is a usage mistake: exit code 2\n%s", strings.Join(args, " "), res)
		require.Empty(t, res.Stdout)
		require.NotEmpty(t, res.Stderr, "print the usage on stderr")
	}
}
