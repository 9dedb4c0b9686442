// Command grade grades a learner's own BitTorrent client, written in any
// language, against a stage of the workbook:
//
//	go run ./testkit/cmd/grade [-v] [-run regexp] <stage> <program>
//	go run ./testkit/cmd/grade -init <folder>
//
// <stage> is a stage's number (1, 2, …) or its folder's name; <program> is
// the learner's executable (a binary, or a script such as your_program.sh),
// relative to where the command is typed or absolute. grade runs the CLI
// tests of every stage from 1 to <stage> against it, afresh (never a cached
// result), and prints one line per stage, then each failing stage's first
// failures in plain words: the command run, what was expected, what the
// program printed. It exits with 0 only when every test passed.
//
// -init creates a starter in <folder>: a Go program that dispatches the
// course's commands and answers "not implemented yet", and the
// your_program.sh that builds and runs it.
package main

import (
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

	"workbook/testkit/cli"
	"workbook/testkit/gobuild"
	"workbook/testkit/stages"
)

func main() {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "grade:", err)
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:], wd, os.Stdout, os.Stderr))
}

const usageText = `usage: go run ./testkit/cmd/grade [-v] [-run regexp] <stage> <program>
       go run ./testkit/cmd/grade -init <folder>

  <stage>    a stage's number (1, 2, …), or a stage folder such as stage05_info
  <program>  your executable (e.g. ../mine/your_program.sh), relative to here or absolute
  -v         list every test, and every failure in full
  -run       run only the tests that match, as go test -run does (e.g. -run TestInfo)
  -init      create a starter program in <folder> (a new or empty folder)
`

// run is the whole command: args without the program name, wd the folder
// the command was typed in. It returns the exit code: 0 every test passed,
// 1 some failed, 2 the command line or the program is wrong.
func run(args []string, wd string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("grade", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	verbose := fs.Bool("v", false, "")
	runPattern := fs.String("run", "", "")
	initDir := fs.String("init", "", "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "grade: %v\n\n%s", err, usageText)
		return 2
	}
	if *initDir != "" {
		if fs.NArg() != 0 {
			fmt.Fprint(stderr, usageText)
			return 2
		}
		return initStarter(abs(wd, *initDir), stdout, stderr)
	}
	if fs.NArg() != 2 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	root, err := workbookRoot(wd)
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	folders, err := stages.Folders(root)
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	n, err := stageNumber(fs.Arg(0), folders)
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	program := abs(wd, fs.Arg(1))
	if err := cli.CheckProgram(program); err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	span := fmt.Sprintf("stages 1 to %d", n)
	if n == 1 {
		span = "stage 1"
	}
	fmt.Fprintf(stdout, "Grading %s: the CLI tests of %s (%s), run afresh.\n\n", program, span, folders[n-1])
	results, err := runTests(root, folders[:n], program, *runPattern, func(r *results) { printLines(stdout, r) })
	if err != nil {
		fmt.Fprintf(stderr, "grade: %v\n", err)
		return 2
	}
	if !report(stdout, results, *verbose) {
		return 1
	}
	return 0
}

func abs(wd, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(wd, path)
}

// stageNumber reads <stage>: a number or a folder name ("stage05_info",
// "./stage05_info/").
func stageNumber(arg string, folders []string) (int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		if n < 1 || n > len(folders) {
			return 0, fmt.Errorf("stage %d: the stages are 1 to %d", n, len(folders))
		}
		return n, nil
	}
	name := filepath.Base(filepath.Clean(arg))
	for i, f := range folders {
		if f == name {
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%q is neither a stage number (1 to %d) nor a stage folder (%s … %s)", arg, len(folders), folders[0], folders[len(folders)-1])
}

// workbookRoot finds the workbook: the nearest folder at or above wd that
// holds go.work and the stage folders, or else the one this command was
// built from (`go run` from anywhere with its path).
func workbookRoot(wd string) (string, error) {
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isWorkbook(dir) {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "..")
		if isWorkbook(dir) {
			return filepath.Clean(dir), nil
		}
	}
	return "", errors.New("cannot find the workbook (a folder with go.work and stage01_bencode_strings): run grade from inside it")
}

func isWorkbook(dir string) bool {
	_, errWork := os.Stat(filepath.Join(dir, "go.work"))
	_, errStage := os.Stat(filepath.Join(dir, "stage01_bencode_strings"))
	return errWork == nil && errStage == nil
}

// runTests runs the CLI tests at the root of each stage folder (not the
// unit tests of the reference solution's packages) against program, and
// collects the results as go test -json reports them. It builds the test
// programs with one go command into a folder kept from one grading to the
// next (gobuild.Dir), so only the stages whose tests changed are linked,
// then runs each through test2json, as go test -json would, a few stages
// at a time: a fresh run every time, never a cached result. run, when set,
// selects tests as go test -run does.
func runTests(root string, folders []string, program, run string, progress func(*results)) (*results, error) {
	dir, err := gobuild.Dir(root, "stage-tests")
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, f := range folders {
		pkgs = append(pkgs, "./"+f)
	}
	if err := gobuild.Build(root, dir, true, pkgs...); err != nil {
		return nil, err
	}
	res := newResults(folders)
	var mu sync.Mutex
	var stderr strings.Builder
	var firstErr error
	slots := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for _, f := range folders {
		slots <- struct{}{} // start the stages in order
		wg.Go(func() {
			defer func() { <-slots }()
			err := runStage(root, f, filepath.Join(dir, f+".test"), program, run, res, progress, &mu, &stderr)
			mu.Lock()
			defer mu.Unlock()
			if firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	res.stderr = stderr.String()
	return res, firstErr
}

// runStage runs one stage's test program in the stage's folder, as go test
// would, through test2json, and reads its events into res.
func runStage(root, folder, test, program, run string, res *results, progress func(*results), mu *sync.Mutex, stderr *strings.Builder) error {
	args := []string{"tool", "test2json", "-t", "-p", "workbook/" + folder, test, "-test.v=test2json", "-test.timeout=30m"}
	if run != "" {
		args = append(args, "-test.run="+run)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(root, folder)
	cmd.Env = append(os.Environ(), cli.ProgramEnv+"="+program)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	readErr := res.read(out, progress, mu)
	waitErr := cmd.Wait()
	mu.Lock()
	stderr.WriteString(errOut.String())
	mu.Unlock()
	if readErr != nil {
		return readErr
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return waitErr
	}
	return nil
}
