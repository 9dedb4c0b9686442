package lessons

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/gobuild"
)

// update makes TestLessons paste the output a checked command prints now
// into its lesson, where it drifted (go test ./testkit/lessons -update), for
// a lesson whose code changed on purpose. Review the diff before committing.
var update = flag.Bool("update", false, "rewrite drifted command output in the lessons")

// TestMain is also the lessons' go command: run under the name "go" (a link
// NewRunner makes), the test binary is GoStandIn.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "go" {
		os.Exit(GoStandIn(os.Args[1:]))
	}
	// A lesson's check mostly waits on the programs it runs (stage 8's on
	// a tracker's 15 s timeout).
	cli.WaitingTestsInParallel()
	os.Exit(m.Run())
}

// programs holds the stand-in's programs, built once for every test.
var programs struct {
	once sync.Once
	dir  string
	err  error
}

// goStandIn returns the stand-in for go (this test binary) and the folder
// of the programs it runs, built on the first call.
func goStandIn(t *testing.T, root string) (exe, dir string) {
	t.Helper()
	programs.once.Do(func() {
		programs.dir, programs.err = gobuild.Dir(root, "programs")
		if programs.err == nil {
			programs.err = BuildPrograms(root, programs.dir)
		}
	})
	require.NoError(t, programs.err)
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe, programs.dir
}

// TestLessons re-runs every checked block of every lesson and compares its
// output with the lesson's.
func TestLessons(t *testing.T) {
	root := repoRoot(t)
	paths, err := Lessons(root)
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	checked := 0
	for _, path := range paths {
		blocks, err := Parse(path)
		require.NoError(t, err)
		checked += len(blocks)
		if len(blocks) == 0 {
			continue
		}
		rel, _ := filepath.Rel(root, path)
		for i := range blocks {
			blocks[i].File = rel // errors name the lesson as a reader finds it
		}
		name := filepath.Dir(rel)
		if name == "." {
			name = "root"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var fixes []fix
			var rewrite func(Command, []string)
			if *update {
				rewrite = func(c Command, got []string) { fixes = append(fixes, fix{c, got}) }
			}
			for _, err := range checkLesson(t, root, blocks, rewrite) {
				t.Error(err)
			}
			if len(fixes) > 0 {
				require.NoError(t, rewriteLesson(path, fixes))
				t.Logf("%s: pasted the output of %d command(s) that drifted", rel, len(fixes))
			}
		})
	}
	require.NotZero(t, checked, "no lesson marks a block with <!-- check -->")
}

// checkLesson runs a lesson's blocks in order in a fresh folder.
func checkLesson(t *testing.T, root string, blocks []Block, rewrite func(Command, []string)) []error {
	t.Helper()
	exe, programs := goStandIn(t, root)
	r, err := NewRunner(root, t.TempDir(), exe, programs)
	require.NoError(t, err)
	r.Rewrite = rewrite
	defer r.Stop()
	var errs []error
	for _, b := range blocks {
		errs = append(errs, r.Check(context.Background(), b)...)
	}
	return errs
}

// TestCheckerCatchesDrift tampers with a copy of stage 1's lesson: its
// decode block with one output line changed must fail, untouched it must
// pass. (Only that block runs: TestLessons runs the rest.)
func TestCheckerCatchesDrift(t *testing.T) {
	root := repoRoot(t)
	lesson, err := os.ReadFile(filepath.Join(root, "stage01_bencode_strings", "README.md"))
	require.NoError(t, err)
	const command = "$ go run ./stage01_bencode_strings decode 5:hello\n"
	require.Contains(t, string(lesson), command+"\"hello\"\n", "stage 1's lesson no longer shows the command this test tampers with")

	for _, c := range []struct {
		name, lesson string
		fails        bool
	}{
		{"as written", string(lesson), false},
		{"output changed", strings.Replace(string(lesson), command+"\"hello\"\n", command+"\"hellp\"\n", 1), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "README.md")
			require.NoError(t, os.WriteFile(path, []byte(c.lesson), 0o644))
			blocks, err := Parse(path)
			require.NoError(t, err)
			errs := checkLesson(t, root, []Block{blockWith(t, blocks, strings.TrimSpace(command[2:]))}, nil)
			if !c.fails {
				require.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			require.Contains(t, errs[0].Error(), "README.md:")
			require.Contains(t, errs[0].Error(), "-\"hellp\"\n+\"hello\"")
		})
	}
}

// fix is a command's drifted output, to paste into its lesson.
type fix struct {
	c   Command
	got []string
}

// rewriteLesson replaces, in the lesson at path, the output lines of each
// fixed command by what it printed now.
func rewriteLesson(path string, fixes []fix) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	// From the bottom up, so the line numbers above stay right.
	slices.SortFunc(fixes, func(a, b fix) int { return b.c.Line - a.c.Line })
	for _, f := range fixes {
		first := f.c.Line + strings.Count(f.c.Text, "\n") // 0-based: the line after the command
		lines = slices.Replace(lines, first, first+len(f.c.Want), f.got...)
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}

// blockWith returns the checked block that runs command.
func blockWith(t *testing.T, blocks []Block, command string) Block {
	t.Helper()
	for _, b := range blocks {
		for _, c := range b.Commands {
			if c.Text == command {
				return b
			}
		}
	}
	t.Fatalf("no checked block runs %q", command)
	return Block{}
}

func TestParse(t *testing.T) {
	lesson := "# L\n\n<!-- check -->\n```console\n$ echo a\na\n$ printf 'b\\n' \\\n  'c'\nb\n\n…\n```\n\n" +
		"```console\n$ not checked\n```\n\n<!-- check: background -->\n\n```console\n$ server\nready\n```\n" +
		"<!-- check -->\nprose in between\n```console\n$ not checked either\n```\n"
	path := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(path, []byte(lesson), 0o644))
	blocks, err := Parse(path)
	require.NoError(t, err)
	require.Equal(t, []Block{
		{File: path, Line: 4, Mode: Foreground, Commands: []Command{
			{Line: 5, Text: "echo a", Want: []string{"a"}},
			{Line: 7, Text: "printf 'b\\n' \\\n  'c'", Want: []string{"b", "", "…"}},
		}},
		{File: path, Line: 20, Mode: Background, Commands: []Command{{Line: 21, Text: "server", Want: []string{"ready"}}}},
	}, blocks)
}

func TestParseRejects(t *testing.T) {
	for _, c := range []struct{ name, lesson, want string }{
		{"no command", "<!-- check -->\n```console\noutput\n```\n", "must start with a `$ ` command"},
		{"unknown mode", "<!-- check: later -->\n```console\n$ x\n```\n", `unknown check mode "later"`},
		{"unclosed", "<!-- check -->\n```console\n$ x\n", "never closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "README.md")
			require.NoError(t, os.WriteFile(path, []byte(c.lesson), 0o644))
			_, err := Parse(path)
			require.ErrorContains(t, err, c.want)
		})
	}
}

func TestNormalise(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"fake tracker at http://127.0.0.1:37657/announce", "fake tracker at http://127.0.0.1:PORT/announce"},
		{"magnet:?xt=urn:btih:2b90&tr=http%3A%2F%2F127.0.0.1%3A36699%2Fannounce", "magnet:?xt=urn:btih:2b90&tr=http%3A%2F%2F127.0.0.1%3APORT%2Fannounce"},
		{"ok  \tworkbook/stage01_bencode_strings\t0.441s", "ok  \tworkbook/stage01_bencode_strings\tDURATION"},
		{"ok  \tworkbook/stage01_bencode_strings\t(cached)", "ok  \tworkbook/stage01_bencode_strings\tDURATION"},
		{"--- FAIL: TestDecodeStrings/5:hello (0.01s)", "--- FAIL: TestDecodeStrings/5:hello (DURATION)"},
		{"Error Trace:\t/work/main/stage01_bencode_strings/decode_test.go:115", "Error Trace:\tstage01_bencode_strings/decode_test.go:115"},
		{"decode_test.go:123: random seed 1596980990236222853", "decode_test.go:123: random seed N"},
		{"info_test.go:62: random torrent seed 7238225549362617423", "info_test.go:62: random torrent seed N"},
		{"downloaded 128.0 MiB in 487ms (262.6 MiB/s on average)", "downloaded 128.0 MiB in DURATION (SPEED on average)"},
		{"real\t0m15.216s", "real\tDURATION"},
		{"The file is at /tmp/workbook-demo-1158360294/sample.bin", "The file is at /tmp/workbook-demo-N/sample.bin"},
		{"9223372036854775807", "9223372036854775807"},
		{"info hash 2b90b5d2ffcae5f3e72749eb6aeb9f4f5d0a670f", "info hash 2b90b5d2ffcae5f3e72749eb6aeb9f4f5d0a670f"},
		{"decode_test.go:34: ", "decode_test.go:34:"},
	} {
		require.Equal(t, c.want, Normalise(c.in), c.in)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		want, got []string
		ok        bool
	}{
		{[]string{"a", "…", "d"}, []string{"a", "b", "c", "d"}, true},
		{[]string{"a", "…", "d"}, []string{"a", "d"}, true},
		{[]string{"a", "…"}, []string{"a"}, true},
		{[]string{"a", "…", "d"}, []string{"a", "b"}, false},
		{[]string{"a"}, []string{"a", "b"}, false},
	} {
		require.Equal(t, c.ok, match(c.want, c.got), "%q ~ %q", c.want, c.got)
	}
}

// TestHiddenPrograms checks that the commands cannot find the Debian
// programs, so a passing lesson needs none of them, and still find the
// rest.
func TestHiddenPrograms(t *testing.T) {
	r, err := NewRunner(t.TempDir(), t.TempDir(), "", "")
	require.NoError(t, err)
	out, err := r.run(context.Background(), Command{Text: "for p in aria2c opentracker qbittorrent-nox go sed; do command -v $p >/dev/null && echo found $p; done; echo CI=$CI"})
	require.NoError(t, err)
	require.Equal(t, "found go\nfound sed\nCI=\n", out)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "go.work")); errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no go.work in %s: the lessons are checked inside the workbook", root)
	}
	return root
}

func TestRewriteLesson(t *testing.T) {
	lesson := "<!-- check -->\n```console\n$ printf 'a\\n' \\\n  'b'\nold\n$ echo c\nc\n```\n"
	path := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(path, []byte(lesson), 0o644))
	blocks, err := Parse(path)
	require.NoError(t, err)
	require.NoError(t, rewriteLesson(path, []fix{{blocks[0].Commands[0], []string{"a", "b"}}}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "<!-- check -->\n```console\n$ printf 'a\\n' \\\n  'b'\na\nb\n$ echo c\nc\n```\n", string(got))
}

// TestGoStandIn checks that the lessons' go prints and exits as the real go
// does for what it runs itself: go run of a program that succeeds and of
// one that fails, go build -o, go test of a stage's CLI tests (its prebuilt
// test program: passing, verbose, matching no test, failing in grading
// mode; times aside), and go test of packages that pass.
func TestGoStandIn(t *testing.T) {
	root := repoRoot(t)
	exe, programs := goStandIn(t, root)
	withStandIn, err := NewRunner(root, t.TempDir(), exe, programs)
	require.NoError(t, err)
	withGo, err := NewRunner(root, t.TempDir(), "", "")
	require.NoError(t, err)
	for _, command := range []string{
		"go run ./stage01_bencode_strings decode 5:hello; echo exit code $?",
		"go run ./stage01_bencode_strings decode 5:hell; echo exit code $?",
		"cd stage01_bencode_strings && go run . decode 3:abc",
		"go build -o /tmp/program ./stage01_bencode_strings && /tmp/program decode 1:x && rm /tmp/program",
		"go test -run 'TestDecodeStrings/5:hello' ./stage01_bencode_strings/",
		"go test -count=1 -run 'TestDecodeStrings/5:hello' -v ./stage01_bencode_strings/",
		"go test -run NoSuchTest ./stage01_bencode_strings",
		"go build -o /tmp/p ./stage01_bencode_strings && BITTORRENT_PROGRAM=/tmp/p go test -run 'TestDecodeIntegers/i52e' ./stage02_integers/; echo exit code $?",
	} {
		want, err := withGo.run(context.Background(), Command{Text: command})
		require.NoError(t, err)
		got, err := withStandIn.run(context.Background(), Command{Text: command})
		require.NoError(t, err)
		require.Empty(t, diff(scanLines(want), got), command)
	}
	// go test: the lines go test prints for packages that pass.
	got, err := withStandIn.run(context.Background(), Command{Text: "go test ./stage01_bencode_strings/... ./testkit/tracker/cmd/..."})
	require.NoError(t, err)
	require.Equal(t, "ok  \tworkbook/stage01_bencode_strings\t0.000s\nok  \tworkbook/stage01_bencode_strings/bencode\t0.000s\n"+
		"?   \tworkbook/testkit/tracker/cmd/faketracker\t[no test files]\n", got)
}
