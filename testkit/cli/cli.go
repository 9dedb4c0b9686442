// Package cli runs a stage's command-line program as a black box, the way a
// grader would: it builds the stage's main package once per test binary (or
// uses the learner's own program in grading mode), runs it with a timeout and
// returns what it printed and its exit code. contract.go holds the checks
// that compare that output with what the course asks, in the forms any
// language may print it (CONTRACT.md at the workbook's root).
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"workbook/testkit/gobuild"
)

// ProgramEnv names the environment variable that switches the tests to
// grading mode: set it to the path of your own executable (a binary or a
// script such as your_program.sh) and every CLI test of a stage runs against
// it instead of the stage's own solution. `go run ./testkit/cmd/grade` sets
// it for you.
const ProgramEnv = "BITTORRENT_PROGRAM"

// DefaultTimeout bounds one run of the program. It is far above what any
// command needs on loopback; hitting it means the program hung.
const DefaultTimeout = 60 * time.Second

// Grading reports whether the tests run against a learner's program.
func Grading() bool { return os.Getenv(ProgramEnv) != "" }

// build holds the solution binary shared by every test of one test binary.
var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// graded holds the learner's program, resolved and checked once.
var graded struct {
	once sync.Once
	path string
	err  error
}

// Program returns the path of the program under test: the learner's program
// in grading mode, otherwise the stage's main package (the test's working
// directory) built once into a temporary directory (by gobuild, which takes
// it from Go's build cache when a test or tool built it before).
func Program(t testing.TB) string {
	t.Helper()
	if Grading() {
		noCache.Do(readNoCacheFile)
		path, err := gradedProgram()
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "workbook-cli-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "program")
		build.err = gobuild.Program(".", ".", build.path)
	})
	if build.err != nil {
		t.Fatalf("building the stage's program: %v", build.err)
	}
	return build.path
}

// gradedProgram resolves and checks BITTORRENT_PROGRAM once. `go test` runs
// a stage's tests in the stage's folder, not where the command was typed,
// so a relative path is tried from there and then from the workbook's root
// (the folder holding go.work), where the README runs every command.
func gradedProgram() (string, error) {
	graded.once.Do(func() {
		p := os.Getenv(ProgramEnv)
		tried := []string{p}
		if !filepath.IsAbs(p) {
			tried = []string{mustAbs(p)}
			if root, ok := workspaceRoot(); ok {
				tried = append(tried, filepath.Join(root, p))
			}
		}
		for _, path := range tried {
			if _, err := os.Stat(path); err == nil {
				graded.path, graded.err = path, CheckProgram(path)
				return
			}
		}
		graded.err = fmt.Errorf("%s=%s: no such file (looked for %s)", ProgramEnv, p, strings.Join(tried, " and "))
	})
	return graded.path, graded.err
}

func mustAbs(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}

// workspaceRoot returns the nearest folder above the working directory that
// holds a go.work file.
func workspaceRoot() (string, bool) {
	dir := mustAbs(".")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// CheckProgram says, in one line, why path cannot be run as the program
// under test: missing, a directory, or without its run bit. It returns nil
// for a file the tests can execute.
func CheckProgram(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%s is a folder; give the path of your executable (e.g. its your_program.sh)", path)
	case info.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%s is not executable (no run bit): run `chmod +x %s`, and give a script a first line such as #!/bin/sh", path, path)
	}
	return checkStart(path)
}

// checkStart refuses, on Linux, a file the kernel cannot start: neither a
// script (#!) nor an ELF binary. Running it would fail every test with
// "exec format error".
func checkStart(path string) error {
	if runtime.GOOS != "linux" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if bytes.HasPrefix(head[:n], []byte("#!")) || bytes.Equal(head[:n], []byte("\x7fELF")) {
		return nil
	}
	return fmt.Errorf("%s cannot be started: a script needs a first line such as #!/bin/sh (or #!/usr/bin/env python3)", path)
}

// TestMain runs the tests of a stage's main package and then removes the
// program Program built. Call it from the package's TestMain. In grading
// mode it first checks the learner's program (one clear line instead of a
// failure per test when it cannot be run) and keeps `go test` from caching
// the verdict: the program can change without the tests changing.
func TestMain(m *testing.M) {
	WaitingTestsInParallel()
	if Grading() {
		if _, err := gradedProgram(); err != nil {
			fmt.Fprintf(os.Stderr, "grading mode: %v\n", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	if Grading() {
		writeNoCacheFile()
	}
	os.Exit(code)
}

// WaitingTestsInParallel lets twice as many parallel tests run at once as
// there are CPUs (go test's default is as many), unless -test.parallel
// says otherwise. A TestMain calls it when its tests mostly wait: on the
// program they run, on a peer timeout they provoke, on a real seeder
// starting. Stage 19's CLI tests take 20 s instead of 30 on 2 cores, for
// the same CPU.
func WaitingTestsInParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
}

// A grading run must never be cached: `go test` cannot see the learner's
// program change, so a cached "ok" would outlive a broken program. go test
// caches no result for which the test read a file of its module that is
// less than 2s old when the test binary ends (cmd/go's modTimeCutoff). So
// the first test that runs the program reads the stage's go.mod (go test
// logs the read), and TestMain sets go.mod's modification time to now,
// last: its content never changes, so git and diff see nothing.
// (`go run ./testkit/cmd/grade` also passes -count=1.)
const noCacheFile = "go.mod"

var noCache sync.Once

func readNoCacheFile() {
	if f, err := os.Open(noCacheFile); err == nil {
		f.Close()
	}
}

// writeNoCacheFile touches noCacheFile; in a read-only checkout it cannot,
// and -count=1 remains the way to a fresh run.
func writeNoCacheFile() {
	now := time.Now()
	os.Chtimes(noCacheFile, now, now)
}

// UnitTestMain runs a package's unit tests, or in grading mode runs none of
// them: they test the stage's own solution, which a learner's program does
// not contain; the CLI tests of the stage's root decide. `go test` then
// reports the package with "[no tests to run]" instead of a bare "ok".
func UnitTestMain(m *testing.M) {
	if Grading() {
		fmt.Printf("grading mode (%s is set): unit tests of the reference solution not run; the CLI tests of the stage root decide\n", ProgramEnv)
		// Set after flag parsing would undo it: m.Run parses the flags
		// first only when they are not parsed yet.
		flag.Parse()
		for name, value := range map[string]string{"test.run": "^$", "test.bench": "", "test.fuzz": ""} {
			if f := flag.Lookup(name); f != nil {
				f.Value.Set(value)
			}
		}
	}
	os.Exit(m.Run())
}

// Result is what one run of the program did.
type Result struct {
	Args     []string // the command line, without the program's path
	Stdout   string
	Stderr   string
	ExitCode int
}

// String describes the run for failure messages: the command, its exit code
// and what it printed.
func (r Result) String() string {
	var b strings.Builder
	if r.Args != nil {
		fmt.Fprintf(&b, "command:   your_program %s\n", quoteArgs(r.Args))
	}
	fmt.Fprintf(&b, "exit code: %d\n", r.ExitCode)
	writeOutput(&b, "stdout:", r.Stdout)
	writeOutput(&b, "stderr:", r.Stderr)
	return b.String()
}

// maxLines bounds the lines of one stream a failure message shows.
const maxLines = 40

// writeOutput shows one stream: on the label's line when it is one line,
// else indented below it.
func writeOutput(b *strings.Builder, label, text string) {
	if text == "" {
		fmt.Fprintf(b, "%-10s (nothing)\n", label)
		return
	}
	body, newline := strings.CutSuffix(text, "\n")
	lines := strings.Split(body, "\n")
	if !newline {
		lines[len(lines)-1] += "  (no newline at the end)"
	}
	if len(lines) == 1 {
		fmt.Fprintf(b, "%-10s %s\n", label, lines[0])
		return
	}
	fmt.Fprintf(b, "%s\n", label)
	for i, line := range lines {
		if i == maxLines {
			fmt.Fprintf(b, "    … (%d more lines)\n", len(lines)-maxLines)
			break
		}
		fmt.Fprintf(b, "    %s\n", line)
	}
}

// quoteArgs writes args the way a shell would need them.
func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@") == "" {
			quoted[i] = a
		} else {
			quoted[i] = fmt.Sprintf("%q", a)
		}
		if len(quoted[i]) > 200 {
			quoted[i] = quoted[i][:60] + fmt.Sprintf("…(%d bytes)", len(a))
		}
	}
	return strings.Join(quoted, " ")
}

// Run runs the program under test with args and DefaultTimeout.
func Run(t testing.TB, args ...string) Result {
	t.Helper()
	return RunTimeout(t, DefaultTimeout, args...)
}

// RunTimeout runs the program under test with args, killing it after timeout.
// A program that is killed fails the test: a CLI must never hang.
func RunTimeout(t testing.TB, timeout time.Duration, args ...string) Result {
	t.Helper()
	return RunIn(t, "", timeout, args...)
}

// RunIn is RunTimeout with the working directory set to dir ("" keeps the
// test's own).
func RunIn(t testing.TB, dir string, timeout time.Duration, args ...string) Result {
	t.Helper()
	return run(t, dir, nil, timeout, args)
}

// An EnvRunner runs the program under test with environment variables of
// its own, such as a shorter peer timeout.
type EnvRunner struct{ env []string }

// WithEnv returns a runner that adds env ("NAME=value" each) to the
// program's environment. Unlike t.Setenv, which changes the whole test
// process's environment and so keeps the test from running in parallel,
// it sets them for each run of the program alone: tests that wait out
// short timeouts can wait side by side.
func WithEnv(env ...string) EnvRunner { return EnvRunner{env} }

// Run is Run with the runner's environment.
func (r EnvRunner) Run(t testing.TB, args ...string) Result {
	t.Helper()
	return run(t, "", r.env, DefaultTimeout, args)
}

// RunTimeout is RunTimeout with the runner's environment.
func (r EnvRunner) RunTimeout(t testing.TB, timeout time.Duration, args ...string) Result {
	t.Helper()
	return run(t, "", r.env, timeout, args)
}

// run runs the program under test in dir with env added to the test's
// environment, killing it after timeout.
func run(t testing.TB, dir string, env []string, timeout time.Duration, args []string) Result {
	t.Helper()
	prog := Program(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Args: append([]string{}, args...), Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("your_program %s did not finish within %v (a CLI must never hang)\n%s", quoteArgs(args), timeout, res)
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", prog, err)
	}
	return res
}
