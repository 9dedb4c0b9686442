// Package cli runs a stage's command-line program as a black box, the way a
// grader would: it builds the stage's main package once per test binary (or
// uses the learner's own program in grading mode), runs it with a timeout and
// returns what it printed and its exit code.
package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// ProgramEnv names the environment variable that switches the tests to
// grading mode: set it to the path of your own executable (a binary or a
// script such as your_program.sh) and every CLI test of a stage runs against
// it instead of the stage's own solution.
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

// Program returns the path of the program under test: the learner's program
// in grading mode, otherwise the stage's main package (the test's working
// directory) built once into a temporary directory.
func Program(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ProgramEnv); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatalf("%s=%q: %v", ProgramEnv, p, err)
		}
		return abs
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "workbook-cli-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "program")
		cmd := exec.Command("go", "build", "-o", build.path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build .: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatalf("building the stage's program: %v", build.err)
	}
	return build.path
}

// TestMain runs the tests of a stage's main package and then removes the
// program Program built. Call it from the package's TestMain.
func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// UnitTestMain runs a package's unit tests, or in grading mode skips them all
// with a message: they test the stage's own solution, which a learner's
// program does not contain; the CLI tests decide in that mode.
func UnitTestMain(m *testing.M) {
	if Grading() {
		fmt.Printf("grading mode (%s is set): unit tests of the reference solution skipped; the CLI tests of the stage root decide\n", ProgramEnv)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Result is what one run of the program did.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// String describes the run for failure messages.
func (r Result) String() string {
	return fmt.Sprintf("exit code %d\n--- stdout ---\n%s--- stderr ---\n%s", r.ExitCode, r.Stdout, r.Stderr)
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
	prog := Program(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %q did not finish within %v (a CLI must never hang)\n%s", prog, args, timeout, res)
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", prog, err)
	}
	return res
}
