// Command testall runs every test of every module of the workbook, as
// `go test work` does, and says which tests did not run:
//
//	go run ./testkit/cmd/testall [go test flags] [packages]
//
// It runs `go test -json` (with the flags given, on `work` unless packages
// are given; -p twice the CPUs unless given) and prints what go test prints: one line per package, and the
// output of the tests that fail. go test shows a package whose tests were
// skipped as a plain "ok" (a passing package's output is hidden), so a run
// on a machine without aria2c, opentracker and qbittorrent-nox would look
// like a full pass. testall ends with a list of the skipped tests and why
// they skipped. It exits as go test does: 0 only when every package passed.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs go test -json with args and reports on stdout; it returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	goArgs := append([]string{"test", "-json"}, args...)
	if !hasFlag(args, "p") {
		// Most packages spend their time waiting on the programs their
		// tests start and on timeouts they provoke, not on the CPU: twice
		// as many packages as CPUs at once (go test's default is one per
		// CPU) takes 5 minutes here instead of 7 and a half on 2 cores.
		goArgs = append(goArgs, "-p="+strconv.Itoa(2*runtime.NumCPU()))
	}
	if !hasPackages(args) {
		goArgs = append(goArgs, "work")
	}
	cmd := exec.Command("go", goArgs...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testall:", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testall:", err)
		return 2
	}
	r := newReport(stdout)
	if err := r.read(out); err != nil {
		fmt.Fprintln(stderr, "testall: reading go test's output:", err)
	}
	err = cmd.Wait()
	r.skipped()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode()
	case err != nil:
		fmt.Fprintln(stderr, "testall:", err)
		return 2
	}
	return 0
}

// hasFlag reports whether args set the go test flag name (-name or
// --name, with or without =value).
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// hasPackages: an argument that is not a flag names packages. (Flags given
// as "-flag value" in two arguments are not supported; write -flag=value.)
func hasPackages(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return true
		}
	}
	return false
}

// event is one line of go test -json.
type event struct {
	Action     string
	Package    string
	ImportPath string // of build-output events
	Test       string
	Output     string
}

// test is what one test printed, until it ends.
type test struct {
	output []string
}

// skip is a test that did not run, and why.
type skip struct {
	name, reason string
}

// report follows go test's events and prints what go test would.
type report struct {
	w     io.Writer
	tests map[string]*test // by package + " " + test
	skips []skip
}

func newReport(w io.Writer) *report {
	return &report{w: w, tests: map[string]*test{}}
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(r.w, sc.Text()) // not an event: pass it on
			continue
		}
		r.add(e)
	}
	return sc.Err()
}

// add handles one event: a test's output is kept until the test ends and
// shown if it failed; a package's own lines (its "ok" or "FAIL" line, the
// output of its TestMain) are shown, except the bare PASS of a passing run.
func (r *report) add(e event) {
	if e.Action == "build-output" {
		fmt.Fprint(r.w, e.Output)
		return
	}
	if e.Test == "" {
		if e.Action == "output" && e.Output != "PASS\n" {
			fmt.Fprint(r.w, e.Output)
		}
		return
	}
	key := e.Package + " " + e.Test
	t := r.tests[key]
	if t == nil {
		t = &test{}
		r.tests[key] = t
	}
	switch e.Action {
	case "output":
		if !isFraming(e.Output) {
			t.output = append(t.output, e.Output)
		}
	case "fail":
		for _, line := range t.output {
			fmt.Fprint(r.w, line)
		}
		delete(r.tests, key)
	case "skip":
		r.skips = append(r.skips, skip{e.Package + " " + e.Test, reason(t.output)})
		delete(r.tests, key)
	case "pass":
		delete(r.tests, key)
	}
}

// isFraming: the lines go test -json adds for its stream (=== RUN and the
// like), which plain go test does not print.
func isFraming(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// reason is the first line a skipped test printed, without its
// file:line prefix.
func reason(output []string) string {
	for _, line := range output {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "--- SKIP") {
			continue
		}
		if file, rest, ok := strings.Cut(line, ": "); ok && strings.Contains(file, ".go:") && !strings.Contains(file, " ") {
			line = rest
		}
		return line
	}
	return "(no reason given)"
}

// skipped lists the skipped tests, grouped by reason.
func (r *report) skipped() {
	if len(r.skips) == 0 {
		return
	}
	var reasons []string
	byReason := map[string][]string{}
	for _, s := range r.skips {
		if byReason[s.reason] == nil {
			reasons = append(reasons, s.reason)
		}
		byReason[s.reason] = append(byReason[s.reason], s.name)
	}
	fmt.Fprintf(r.w, "\nSKIPPED: %d test(s) did not run, so this run does not cover them:\n", len(r.skips))
	for _, reason := range reasons {
		fmt.Fprintf(r.w, "  %s\n", reason)
		for _, name := range byReason[reason] {
			fmt.Fprintf(r.w, "      %s\n", name)
		}
	}
}
