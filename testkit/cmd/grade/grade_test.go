package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/gobuild"
	"workbook/testkit/stages"
)

// These tests grade real learners' programs with the grader: a Python
// program written the way a Python programmer writes it (testdata/python),
// and the starter, before and after stage 1's lesson is written into it.
// Each run is the whole grader (go test of the stages' CLI tests), so they
// take a while.

// grade runs the grader as if typed in wd and returns its exit code and
// everything it printed.
func grade(t *testing.T, wd string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, wd, &out, &out)
	t.Logf("grade %s (in %s): exit code %d\n%s", strings.Join(args, " "), wd, code, out.String())
	return code, out.String()
}

// python3 returns the Python interpreter for the Python program. CI must
// have it (.ci/run installs Debian's python3); elsewhere the test skips
// without it.
func python3(t *testing.T) string {
	t.Helper()
	// Debian's python3 first: version managers' shims (pyenv) cost a
	// shell script per start, and the tests start Python thousands of times.
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	path, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 is not installed, and CI is set: install Debian's python3 (.ci/run does)")
		}
		t.Skip("python3 is not installed: the Python program cannot be graded")
	}
	return path
}

// pythonProgram copies the Python program into dir/name at the given stage
// and returns the path of its your_program.sh.
func pythonProgram(t *testing.T, dir string, stage int) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "python", "main.py"))
	require.NoError(t, err)
	src = replaceOnce(t, src, "STAGE = 7 ", "STAGE = "+strconv.Itoa(stage)+" ")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.py"), src, 0o644))
	script := "#!/bin/sh\nexec " + python3(t) + " \"$(dirname \"$0\")/main.py\" \"$@\"\n"
	path := filepath.Join(dir, "your_program.sh")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o755))
	return path
}

// replaceOnce replaces old, which must occur exactly once, with new.
func replaceOnce(t *testing.T, text []byte, old, new string) []byte {
	t.Helper()
	require.Equal(t, 1, bytes.Count(text, []byte(old)), "%q must occur once", old)
	return bytes.Replace(text, []byte(old), []byte(new), 1)
}

// TestGradePythonProgram grades the Python program at stage 7: grade 7 runs
// the tests of stages 1 to 7 against the program that prints every line, so
// stages 5 and 6 see stage 6's and 7's lines too. The program path is
// relative to where grade is typed. Stage 7's tests hold every earlier
// stage's, under the same names (testkit/stages checks it); grading the
// earlier stages' copies of them as well starts Python four times as often
// (about 560 runs instead of 150), so the whole grade 7 runs in CI (CI set,
// as .ci/run does) and otherwise stage 7 alone.
func TestGradePythonProgram(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pythonProgram(t, filepath.Join(dir, "mine"), 7)
	t.Run("stage 7", func(t *testing.T) {
		if os.Getenv("CI") != "" {
			t.Skip("grade 7 below runs stage 7 too")
		}
		root, err := workbookRoot(".")
		require.NoError(t, err)
		folders, err := stages.Folders(root)
		require.NoError(t, err)
		res, err := runTests(root, folders[6:7], filepath.Join(dir, "mine", "your_program.sh"), "", func(*results) {})
		require.NoError(t, err)
		var out bytes.Buffer
		passed := report(&out, res, false)
		require.True(t, passed, "a correct Python program must pass stage 7\n%s", out.String())
		require.Contains(t, out.String(), "PASS: every test of stage 7 passed.")
	})
	t.Run("grade 7", func(t *testing.T) {
		if os.Getenv("CI") == "" {
			t.Skip("the Python program against stages 1 to 6 as well: runs in CI (CI set); stage 7's tests hold theirs")
		}
		code, out := grade(t, dir, "7", "mine/your_program.sh")
		require.Equal(t, 0, code, "a correct Python program must pass grade 7\n%s", out)
		require.Contains(t, out, "PASS: every test of stages 1 to 7 passed.")
		for s := 1; s <= 7; s++ {
			require.Regexp(t, `(?m)^  stage +`+strconv.Itoa(s)+` .* passed$`, out, "one line for stage %d, no failure", s)
		}
	})
}

// TestGradePythonProgramBeforeItGrows grades the Python program as it was
// at stages 5 and 6, before it printed the later stages' info lines,
// against that stage's tests of the info lines (the program's other
// answers do not depend on STAGE past 5, and TestGradePythonProgram checks
// them).
func TestGradePythonProgramBeforeItGrows(t *testing.T) {
	root, err := workbookRoot(".")
	require.NoError(t, err)
	folders, err := stages.Folders(root)
	require.NoError(t, err)
	for _, stage := range []int{5, 6} {
		t.Run("stage "+strconv.Itoa(stage), func(t *testing.T) {
			t.Parallel()
			program := pythonProgram(t, t.TempDir(), stage)
			res, err := runTests(root, folders[stage-1:stage], program, "^TestInfo(RealTorrents)?$", func(*results) {})
			require.NoError(t, err)
			var out bytes.Buffer
			passed := report(&out, res, false)
			require.True(t, passed, "the Python program at stage %d must pass stage %d's tests\n%s", stage, stage, out.String())
			require.Contains(t, out.String(), "PASS: every test of stage "+strconv.Itoa(stage)+" passed.")
		})
	}
}

// TestGradeNeverCached: the Python program passes grade 2, is changed in
// place to accept i-0e, and the next grade 2 fails and names the case.
func TestGradeNeverCached(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	program := pythonProgram(t, dir, 7)
	// Only the malformed-input tests: the case is one of them.
	code, out := grade(t, dir, "-run", "TestDecodeMalformed", "2", program)
	require.Equal(t, 0, code, out)

	main := filepath.Join(dir, "main.py")
	src, err := os.ReadFile(main)
	require.NoError(t, err)
	src = replaceOnce(t, src, `if text == b"-0":`, `if False:  # now accepts i-0e`)
	require.NoError(t, os.WriteFile(main, src, 0o644))

	code, out = grade(t, dir, "-run", "TestDecodeMalformed", "2", program)
	require.Equal(t, 1, code, "the changed program must fail grade 2: no cached verdict\n%s", out)
	require.Regexp(t, `(?m)^  stage +2 .*1 FAILED$`, out)
	require.Contains(t, out, "✗ TestDecodeMalformed/negative_zero")
	require.Contains(t, out, "command:   your_program decode i-0e")
	requireReadable(t, out)
}

// TestGradeRelativePaths: a program path typed relative to the folder the
// command is typed in works, from the workbook's root to a program outside
// the workbook (../…/your_program.sh) as well as from outside the workbook.
func TestGradeRelativePaths(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	require.NoError(t, err)
	dir := t.TempDir()
	// Stage 1's own program: what is graded does not matter here, and a Go
	// program starts twenty times faster than Python.
	program := filepath.Join(dir, "mine", "your_program")
	require.NoError(t, os.Mkdir(filepath.Dir(program), 0o755))
	require.NoError(t, gobuild.Program(root, "./stage01_bencode_strings", program))

	fromRoot, err := filepath.Rel(root, program)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(fromRoot, ".."+string(filepath.Separator)), "the program lies outside the workbook: %s", fromRoot)
	code, out := grade(t, root, "1", fromRoot)
	require.Equal(t, 0, code, out)

	work := filepath.Join(dir, "work")
	require.NoError(t, os.Mkdir(work, 0o755))
	code, out = grade(t, work, "stage01_bencode_strings", "../mine/your_program")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Grading "+program+":")
}

// TestGradeProgramNotRunnable: a program without its run bit, or missing,
// gets one clear line and no test run.
func TestGradeProgramNotRunnable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := filepath.Join(dir, "your_program.py")
	require.NoError(t, os.WriteFile(script, []byte("#!/usr/bin/env python3\nprint('hi')\n"), 0o644))

	for name, tc := range map[string]struct{ arg, want string }{
		"no run bit":    {"your_program.py", "is not executable (no run bit): run `chmod +x " + script + "`"},
		"missing":       {"nothing_here.sh", filepath.Join(dir, "nothing_here.sh") + ": no such file"},
		"a folder":      {".", "is a folder"},
		"no such stage": {"your_program.py", ""},
	} {
		t.Run(name, func(t *testing.T) {
			stage := "1"
			if name == "no such stage" {
				root, err := workbookRoot(".")
				require.NoError(t, err)
				folders, err := stages.Folders(root)
				require.NoError(t, err)
				n := len(folders)
				stage = strconv.Itoa(n + 1)
				tc.want = fmt.Sprintf("stage %d: the stages are 1 to %d", n+1, n)
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{stage, tc.arg}, dir, &stdout, &stderr)
			require.Equal(t, 2, code)
			require.Empty(t, stdout.String(), "no test runs")
			require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line:\n%s", stderr.String())
			require.Contains(t, stderr.String(), tc.want)
		})
	}
}

// TestGradeStarter: a fresh starter fails grade 1 with a readable first
// failure, and passes once stage 1's lesson code is written into it.
func TestGradeStarter(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mine")
	var out bytes.Buffer
	require.Equal(t, 0, run([]string{"-init", dir}, filepath.Dir(dir), &out, &out), out.String())
	for _, name := range []string{"go.mod", "main.go", "cmd_decode.go", "your_program.sh"} {
		require.FileExists(t, filepath.Join(dir, name))
	}
	require.Equal(t, 2, run([]string{"-init", dir}, filepath.Dir(dir), &out, &out), "-init refuses a folder that is not empty")

	code, text := grade(t, filepath.Dir(dir), "1", "mine/your_program.sh")
	require.Equal(t, 1, code, text)
	require.Regexp(t, `(?m)^  stage +1 .* FAILED$`, text)
	require.Contains(t, text, "command:   your_program decode")
	require.Contains(t, text, "error: decode: not implemented yet")
	requireReadable(t, text)

	lesson := lessonCode(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cmd_decode.go"), []byte(lesson), 0o644))
	code, text = grade(t, filepath.Dir(dir), "1", "mine/your_program.sh")
	require.Equal(t, 0, code, "the starter with stage 1's lesson code must pass grade 1\n%s", text)
}

// lessonCode returns the cmd_decode.go that stage 1's lesson has the
// learner write into the starter: the first Go block of its section
// "Start from an empty folder".
func lessonCode(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "stage01_bencode_strings", "README.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(readme), "\n## Start from an empty folder")
	require.True(t, found, "stage 1's lesson has a section \"Start from an empty folder\"")
	m := regexp.MustCompile("(?s)```go\n(package main\n.*?)```").FindStringSubmatch(section)
	require.NotNil(t, m, "the section shows cmd_decode.go in a ```go block")
	return m[1]
}

// requireReadable checks a report for the noise it must not have.
func requireReadable(t *testing.T, out string) {
	t.Helper()
	for _, noise := range []string{"Error Trace", "Test:  ", "_test.go:", "goroutine ", "=== RUN", "--- FAIL"} {
		require.NotContains(t, out, noise)
	}
	require.Contains(t, out, "exit code:")
}

// TestCleanOutput: testify's report becomes plain lines, the message
// first, without its trace.
func TestCleanOutput(t *testing.T) {
	output := []string{
		"=== RUN   TestDecodeStrings/5:hello\n",
		"    decode_test.go:34: \n",
		"        \tError Trace:\t/work/stage01/decode_test.go:115\n",
		"        \t            \t\t\t\t/work/stage01/decode_test.go:34\n",
		"        \tError:      \tNot equal: \n",
		"        \t            \texpected: 0\n",
		"        \t            \tactual  : 1\n",
		"        \tTest:       \tTestDecodeStrings/5:hello\n",
		"        \tMessages:   \tdecode \"5:hello\" should succeed\n",
		"        \t            \tcommand:   your_program decode 5:hello\n",
		"        \t            \texit code: 1\n",
		"        \t            \tstdout:\n",
		"        \t            \t    line one\n",
		"--- FAIL: TestDecodeStrings/5:hello (0.01s)\n",
	}
	require.Equal(t, []string{
		`decode "5:hello" should succeed`,
		"Not equal: ", "expected: 0", "actual  : 1",
		"command:   your_program decode 5:hello", "exit code: 1", "stdout:", "    line one",
	}, cleanOutput(output))

	plain := []string{
		"    info_test.go:70: `info` prints the tracker URL\n",
		"        missing \"Info Hash: 00\"\n",
		"        stdout:\n",
		"            Tracker URL: http://t\n",
	}
	require.Equal(t, []string{"`info` prints the tracker URL", `missing "Info Hash: 00"`, "stdout:", "    Tracker URL: http://t"}, cleanOutput(plain))
}

// TestMain keeps BITTORRENT_PROGRAM of the caller out of the graded runs.
func TestMain(m *testing.M) {
	os.Unsetenv(cli.ProgramEnv)
	os.Exit(m.Run())
}

// TestReportSkipsAndFailures: from go test's JSON stream, the report counts
// a stage's tests, says why tests were skipped (they are NOT graded), hides
// the unit tests grading mode skips, and shows a failure without testify's
// trace.
func TestReportSkipsAndFailures(t *testing.T) {
	stream := strings.Join([]string{
		`{"Action":"run","Package":"workbook/stage08_peers","Test":"TestPeers"}`,
		`{"Action":"pass","Package":"workbook/stage08_peers","Test":"TestPeers"}`,
		`{"Action":"run","Package":"workbook/stage08_peers","Test":"TestPeersRealOpentracker"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersRealOpentracker","Output":"    peers_real_test.go:22: real-program test needs opentracker (install with: apt-get install -y opentracker)\n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersRealOpentracker","Output":"--- SKIP: TestPeersRealOpentracker (0.00s)\n"}`,
		`{"Action":"skip","Package":"workbook/stage08_peers","Test":"TestPeersRealOpentracker"}`,
		`{"Action":"run","Package":"workbook/stage08_peers","Test":"TestByteSize"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestByteSize","Output":"    progress_test.go:16: grading mode: unit test of the reference solution\n"}`,
		`{"Action":"skip","Package":"workbook/stage08_peers","Test":"TestByteSize"}`,
		`{"Action":"run","Package":"workbook/stage08_peers","Test":"TestPeersUsage"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"    peers_test.go:245: \n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"        \tError Trace:\t/w/peers_test.go:245\n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"        \tError:      \tNot equal: \n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"        \t            \texpected: 2\n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"        \t            \tactual  : 1\n"}`,
		`{"Action":"output","Package":"workbook/stage08_peers","Test":"TestPeersUsage","Output":"        \tMessages:   \tpeers is a usage mistake: exit code 2\n"}`,
		`{"Action":"fail","Package":"workbook/stage08_peers","Test":"TestPeersUsage"}`,
		`{"Action":"fail","Package":"workbook/stage08_peers"}`,
	}, "\n")
	res, err := parseEvents(strings.NewReader(stream), []string{"stage08_peers"}, func(*results) {})
	require.NoError(t, err)
	var out bytes.Buffer
	require.False(t, report(&out, res, false))
	text := out.String()
	require.Contains(t, text, "stage  8  stage08_peers    1 passed, 1 FAILED, 1 skipped\n")
	require.Contains(t, text, "1 skipped, NOT graded: real-program test needs opentracker (install with: apt-get install -y opentracker)")
	require.Contains(t, text, "✗ TestPeersUsage\n      peers is a usage mistake: exit code 2\n      Not equal: \n      expected: 2\n      actual  : 1\n")
	require.NotContains(t, text, "grading mode")
	require.NotContains(t, text, "Error Trace")
}
