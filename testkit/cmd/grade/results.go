package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// testResult is one test (or subtest) of one stage's run.
type testResult struct {
	name   string
	action string   // pass, fail or skip; "" when it never ended (a timeout)
	output []string // what the test printed, go test's own lines included
}

// stageResult is the run of one stage's CLI tests.
type stageResult struct {
	folder string
	tests  map[string]*testResult
	order  []string // test names in the order they started
	failed bool     // go test reported the package as failed
	done   bool     // go test reported the package's end
	output []string // package-level output: build errors, TestMain's lines
}

type results struct {
	stages  []*stageResult
	stderr  string // go test's own stderr
	printed int    // how many summary lines are out
}

func newResults(folders []string) *results {
	res := &results{}
	for _, f := range folders {
		res.stages = append(res.stages, &stageResult{folder: f, tests: map[string]*testResult{}})
	}
	return res
}

// parseEvents reads go test's JSON stream for the packages of folders,
// calling progress whenever a package ends.
func parseEvents(r io.Reader, folders []string, progress func(*results)) (*results, error) {
	res := newResults(folders)
	return res, res.read(r, progress, &sync.Mutex{})
}

// read adds the events of a JSON stream (go test's, or test2json's for one
// stage) to res, calling progress whenever a package ends. Several streams
// may be read at once: mu guards res.
func (res *results) read(r io.Reader, progress func(*results), mu *sync.Mutex) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue // not an event (go test prints build errors as text)
		}
		mu.Lock()
		if s := res.stage(e.Package); s != nil {
			s.add(e)
			if s.done {
				progress(res)
			}
		}
		mu.Unlock()
	}
	return sc.Err()
}

// stage returns the stage of a package ("workbook/stage05_info", or go
// test's "workbook/stage05_info [build failed]"), or nil.
func (res *results) stage(pkg string) *stageResult {
	pkg = strings.TrimSuffix(pkg, " [build failed]")
	for _, s := range res.stages {
		if pkg == "workbook/"+s.folder {
			return s
		}
	}
	return nil
}

// number is the stage's number, from its folder's name (stage05_info: 5).
func (s *stageResult) number() int {
	n, _ := strconv.Atoi(strings.TrimPrefix(s.folder[:min(len(s.folder), 7)], "stage"))
	return n
}

func (s *stageResult) add(e event) {
	if e.Test == "" {
		switch e.Action {
		case "output", "build-output":
			s.output = append(s.output, e.Output)
		case "fail", "build-fail":
			s.failed = true
			s.done = true
		case "pass", "skip":
			s.done = true
		}
		return
	}
	t := s.tests[e.Test]
	if t == nil {
		t = &testResult{name: e.Test}
		s.tests[e.Test] = t
		s.order = append(s.order, e.Test)
	}
	switch e.Action {
	case "output":
		t.output = append(t.output, e.Output)
	case "pass", "fail", "skip":
		t.action = e.Action
	}
}

// leaves returns the tests that count: every test without subtests, and a
// test whose subtests all passed though it failed itself (a check in its
// own body). Tests that grading mode skips because they test the reference
// solution's internals do not count.
func (s *stageResult) leaves() []*testResult {
	var out []*testResult
	for _, name := range s.order {
		t := s.tests[name]
		if isUnitTestSkip(t) {
			continue
		}
		children, childFailed := false, false
		for _, other := range s.order {
			if strings.HasPrefix(other, name+"/") {
				children = true
				childFailed = childFailed || s.tests[other].action != "pass" && s.tests[other].action != "skip"
			}
		}
		if !children || (t.action == "fail" && !childFailed) {
			out = append(out, t)
		}
	}
	// Subtests of parallel tests start after every other test: order the
	// leaves by their top-level test, which starts in the source's order.
	top := func(t *testResult) int {
		name, _, _ := strings.Cut(t.name, "/")
		return slices.Index(s.order, name)
	}
	slices.SortStableFunc(out, func(a, b *testResult) int { return top(a) - top(b) })
	return out
}

// isUnitTestSkip: a unit test of the reference solution, skipped in grading
// mode (its message starts with "grading mode").
func isUnitTestSkip(t *testResult) bool {
	return t.action == "skip" && strings.Contains(skipReason(t), "grading mode")
}

// skipReason is the message a skipped test gave.
func skipReason(t *testResult) string {
	for _, line := range cleanOutput(t.output) {
		if line != "" {
			return line
		}
	}
	return "skipped"
}

// counts returns how many tests passed, failed (or never finished) and
// were skipped.
func (s *stageResult) counts() (passed, failed, skipped int) {
	for _, t := range s.leaves() {
		switch t.action {
		case "pass":
			passed++
		case "skip":
			skipped++
		default:
			failed++
		}
	}
	return passed, failed, skipped
}

// failures returns the tests that failed or never finished.
func (s *stageResult) failures() []*testResult {
	var out []*testResult
	for _, t := range s.leaves() {
		if t.action != "pass" && t.action != "skip" {
			out = append(out, t)
		}
	}
	return out
}

// cleanOutput turns a failed test's output into plain lines: no go test
// framing (=== RUN, --- FAIL), no file:line prefixes, and of testify's
// report only the message and the expected/actual part (no Error Trace, no
// Test: line), message first.
func cleanOutput(output []string) []string {
	var lines, messages, errorPart []string
	var section *[]string
	indent := 0 // of the last "file.go:12: message" line
	for _, raw := range strings.Split(strings.Join(output, ""), "\n") {
		line := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(line, "\t") {
			// testify's lines: handled below
		} else if stripLocation(line) != line {
			indent = len(raw) - len(line)
		} else if pad := strings.Repeat(" ", indent+4); strings.HasPrefix(raw, pad) {
			line = raw[len(pad):] // a message's next line keeps its own indentation
		}
		if strings.HasPrefix(line, "=== ") || strings.HasPrefix(line, "--- FAIL") || strings.HasPrefix(line, "--- PASS") || strings.HasPrefix(line, "--- SKIP") {
			continue
		}
		if label, value, ok := testifyLine(line); ok {
			switch label {
			case "Messages":
				section = &messages
			case "Error":
				section = &errorPart
			default: // Error Trace, Test
				section = nil
				continue
			}
			*section = append(*section, value)
			continue
		}
		if value, ok := testifyContinuation(line); ok {
			if section != nil {
				*section = append(*section, value)
			}
			continue
		}
		section = nil
		line = stripLocation(line)
		if strings.TrimSpace(line) != "" {
			lines = append(lines, strings.TrimRight(line, " "))
		}
	}
	// The message says what was asked and ends with the run ("command: ...");
	// testify's expected/actual goes between the two.
	run := len(messages)
	for i, m := range messages {
		if strings.HasPrefix(m, "command: ") {
			run = i
			break
		}
	}
	out := append(lines, messages[:run]...)
	out = append(out, errorPart...)
	return append(out, messages[run:]...)
}

// testifyLine matches "\tLabel:   \tvalue", testify's section start.
func testifyLine(line string) (label, value string, ok bool) {
	rest, found := strings.CutPrefix(line, "\t")
	if !found {
		return "", "", false
	}
	label, value, found = strings.Cut(rest, ":")
	switch strings.TrimSpace(label) {
	case "Error Trace", "Error", "Test", "Messages":
		return strings.TrimSpace(label), strings.TrimPrefix(strings.TrimLeft(value, " "), "\t"), found
	}
	return "", "", false
}

// testifyContinuation matches "\t            \tvalue", a section's next line.
func testifyContinuation(line string) (string, bool) {
	rest, found := strings.CutPrefix(line, "\t")
	if !found {
		return "", false
	}
	pad, value, found := strings.Cut(rest, "\t")
	if !found || strings.TrimSpace(pad) != "" {
		return "", false
	}
	return value, true
}

// stripLocation removes a "file_test.go:123: " prefix.
func stripLocation(line string) string {
	file, rest, ok := strings.Cut(line, ": ")
	if !ok {
		file, ok = strings.CutSuffix(line, ":")
		rest = ""
	}
	if ok && strings.Contains(file, ".go:") && !strings.Contains(file, " ") {
		return rest
	}
	return line
}

// printLines prints the summary line of every stage that has ended and
// follows the lines already out, so the lines appear in stage order while
// the tests run.
func printLines(w io.Writer, res *results) {
	width := 0
	for _, s := range res.stages {
		width = max(width, len(s.folder))
	}
	for ; res.printed < len(res.stages) && res.stages[res.printed].done; res.printed++ {
		s := res.stages[res.printed]
		passed, failed, skipped := s.counts()
		line := fmt.Sprintf("  stage %2d  %-*s  %3d passed", s.number(), width, s.folder, passed)
		if failed > 0 {
			line += fmt.Sprintf(", %d FAILED", failed)
		}
		if skipped > 0 {
			line += fmt.Sprintf(", %d skipped", skipped)
		}
		if s.failed && failed == 0 {
			line += ", FAILED to run"
		}
		fmt.Fprintln(w, line)
	}
}

// report finishes the summary (the lines of stages that never ended, then
// the failures) and returns whether every test passed.
func report(w io.Writer, res *results, verbose bool) bool {
	for _, s := range res.stages {
		s.done = true // a stage cut short still gets its line
	}
	printLines(w, res)
	allPassed := true
	var prev *stageResult
	for _, s := range res.stages {
		_, failed, _ := s.counts()
		allPassed = allPassed && failed == 0 && !s.failed
		if s.failed && len(s.failures()) == 0 && len(s.output) == 0 {
			s.output = []string{res.stderr} // go test said why on its stderr
		}
		reportStage(w, s.number(), s, prev, verbose)
		prev = s
	}
	fmt.Fprintln(w)
	if allPassed {
		first, last := res.stages[0].number(), res.stages[len(res.stages)-1].number()
		if first == last {
			fmt.Fprintf(w, "PASS: every test of stage %d passed.\n", last)
		} else {
			fmt.Fprintf(w, "PASS: every test of stages %d to %d passed.\n", first, last)
		}
	} else {
		fmt.Fprintln(w, "FAIL. Fix the first failure first; `-v` lists every test.")
	}
	return allPassed
}

// maxShown is how many new failures of a stage the summary shows.
const maxShown = 3

// reportStage prints a stage's skips and failures (in verbose mode every
// test). A failure the previous stage's run already showed is not repeated.
func reportStage(w io.Writer, n int, s, prev *stageResult, verbose bool) {
	if verbose {
		fmt.Fprintf(w, "\nstage %d (%s):\n", n, s.folder)
		for _, t := range s.leaves() {
			fmt.Fprintf(w, "  %-4s %s\n", strings.ToUpper(orNotFinished(t.action)), t.name)
		}
	}
	reportSkips(w, n, s)
	failures := s.failures()
	if s.failed && len(failures) == 0 {
		fmt.Fprintf(w, "\nstage %d (%s) could not run its tests:\n", n, s.folder)
		for _, line := range lastLines(cleanOutput(s.output), 20) {
			fmt.Fprintf(w, "    %s\n", line)
		}
		return
	}
	var fresh []*testResult
	seen := 0
	for _, t := range failures {
		if !verbose && prev != nil && prev.tests[t.name] != nil && prev.tests[t.name].action == "fail" {
			seen++
			continue
		}
		fresh = append(fresh, t)
	}
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\nstage %d (%s): %d failed", n, s.folder, len(failures))
	if seen > 0 {
		fmt.Fprintf(w, " (%d of them already failed in stage %d, not repeated)", seen, n-1)
	}
	fmt.Fprintln(w)
	for i, t := range fresh {
		if i == maxShown && !verbose {
			fmt.Fprintf(w, "  … and %d more (-v shows them)\n", len(fresh)-maxShown)
			break
		}
		fmt.Fprintf(w, "\n  ✗ %s\n", t.name)
		lines := cleanOutput(t.output)
		if t.action == "" {
			lines = append(lines, "(the test never finished: the run was stopped, e.g. by go test's timeout)")
		}
		for _, line := range lines {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
}

// reportSkips says why tests were skipped, once per reason.
func reportSkips(w io.Writer, n int, s *stageResult) {
	reasons := map[string]int{}
	var order []string
	for _, t := range s.leaves() {
		if t.action != "skip" {
			continue
		}
		r := skipReason(t)
		if reasons[r] == 0 {
			order = append(order, r)
		}
		reasons[r]++
	}
	for _, r := range order {
		fmt.Fprintf(w, "\nstage %d (%s): %d skipped, NOT graded: %s\n", n, s.folder, reasons[r], r)
	}
}

func orNotFinished(action string) string {
	if action == "" {
		return "stop"
	}
	return action
}

func lastLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}
