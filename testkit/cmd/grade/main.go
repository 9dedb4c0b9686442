// Command grade grades a learner's own BitTorrent client, written in any
// language, against a stage of the workbook:
//
//	go run ./testkit/cmd/grade [-v] <stage> <program>
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

	"workbook/testkit/cli"
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

const usageText = `usage: go run ./testkit/cmd/grade [-v] <stage> <program>
       go run ./testkit/cmd/grade -init <folder>

  <stage>    a stage's number (1, 2, …), or a stage folder such as stage05_info
  <program>  your executable (e.g. ../mine/your_program.sh), relative to here or absolute
  -v         list every test, and every failure in full
  -init      create a starter program in <folder> (a new or empty folder)
`

// run is the whole command: args without the program name, wd the folder
// the command was typed in. It returns the exit code: 0 every test passed,
// 1 some failed, 2 the command line or the program is wrong.
func run(args []string, wd string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("grade", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	verbose := fs.Bool("v", false, "")
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
	results, err := runTests(root, folders[:n], program, func(r *results) { printLines(stdout, r) })
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
// unit tests of the reference solution's packages) against program, with
// -count=1 so that no cached result stands in for a run, and collects the
// results from go test's JSON stream.
func runTests(root string, folders []string, program string, progress func(*results)) (*results, error) {
	args := []string{"test", "-count=1", "-json", "-timeout=30m"}
	for _, f := range folders {
		args = append(args, "./"+f)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), cli.ProgramEnv+"="+program)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	res, parseErr := parseEvents(out, folders, progress)
	waitErr := cmd.Wait()
	if parseErr != nil {
		return nil, parseErr
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return nil, waitErr
	}
	res.stderr = errOut.String()
	return res, nil
}
