package lessons

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"workbook/testkit/gobuild"
)

// A lesson runs the go command about a hundred times: `go run` a stage,
// `go build` the previous stage, `go test` the stage. Each go command loads
// the whole workspace (a third of a second of CPU), `go build` links anew
// (a second), and `go test ./stageNN/...` would run every test of the stage
// again. So the commands find, first on their PATH, a stand-in for go
// (GoStandIn, which is this test binary under the name "go"). The command
// lines still run as written, through bash; the stand-in gives three of
// them the same result faster and hands everything else to the real go:
//
//   - `go run <package> args…`, for a main package of the workspace, runs
//     the package's program, built once for the whole check
//     (BuildPrograms), and, as go run does, says "exit status N" on stderr
//     and exits with 1 when the program fails.
//   - `go build -o <file> <package>` copies that program to file.
//   - `go test <packages>`, with no flags and not in grading mode
//     (BITTORRENT_PROGRAM unset), prints the line go test prints for each
//     package that passes: "ok" for a package with tests, "[no test files]"
//     for one without (from go list). The tests themselves run once, in
//     `go test work`, of which this checker is a part; a failing test
//     fails that run.
//   - `go test [-count=1] [-run <pattern>] [-v] ./stageNN_x/`, a stage's
//     CLI tests (in grading mode too: they are the lessons' way to show
//     what a learner's program meets), runs the stage's test program,
//     built once (go test -c) into the folder the grader and testkit/stages
//     use, and prints what go test prints around it: "ok", or "FAIL"
//     twice, with the time. go test would link that test program again
//     for each such line, about a second of CPU each.
//
// The environment tells the stand-in where the real go and the programs are.
const (
	envRealGo   = "WORKBOOK_LESSONS_GO"
	envPrograms = "WORKBOOK_LESSONS_PROGRAMS"
)

// manifestName is the file in the programs folder that maps each main
// package's folder to its program; testsManifestName each stage's folder to
// its test program.
const (
	manifestName      = "programs.json"
	testsManifestName = "tests.json"
)

// A testProgram is a stage's test program (go test -c) and the import path
// go test names it by.
type testProgram struct{ Path, ImportPath string }

// BuildPrograms builds the program of every main package of the workspace
// at root into dir (see gobuild.Dir and gobuild.Build: a folder kept from
// one check to the next, so only programs whose code changed are linked),
// and the test program of every stage into the folder the grader and
// testkit/stages build them into, both at once, and writes the manifests.
func BuildPrograms(root, dir string) error {
	testsDir, err := gobuild.Dir(root, "stage-tests")
	if err != nil {
		return err
	}
	list := exec.Command("go", "list", "-f",
		`{{if eq .Name "main"}}{{.Dir}} {{.ImportPath}} {{or .TestGoFiles .XTestGoFiles}}{{"\n"}}{{end}}`, "work")
	list.Dir = root
	out, err := list.Output()
	if err != nil {
		return fmt.Errorf("go list work: %w", err)
	}
	programs, tests := map[string]string{}, map[string]testProgram{}
	var pkgs, stages []string
	for line := range strings.Lines(string(out)) {
		pkgDir, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		importPath, testFiles, _ := strings.Cut(rest, " ")
		name := filepath.Base(pkgDir) // go build names a program after its folder
		rel, err := filepath.Rel(root, pkgDir)
		if err != nil {
			return err
		}
		if _, taken := programs[name]; !taken { // a second folder of that name: the real go runs it
			programs[name] = pkgDir
			pkgs = append(pkgs, "./"+filepath.ToSlash(rel))
		}
		if rel == name && strings.HasPrefix(name, "stage") && testFiles != "[]" {
			tests[pkgDir] = testProgram{filepath.Join(testsDir, name+".test"), importPath}
			stages = append(stages, "./"+name)
		}
	}
	var wg sync.WaitGroup
	var testsErr error
	wg.Go(func() { testsErr = gobuild.Build(root, testsDir, true, stages...) })
	err = gobuild.Build(root, dir, false, pkgs...)
	wg.Wait()
	if err := errors.Join(err, testsErr); err != nil {
		return err
	}
	manifest := map[string]string{}
	for name, pkgDir := range programs {
		manifest[pkgDir] = filepath.Join(dir, name)
	}
	return errors.Join(writeJSON(filepath.Join(dir, manifestName), manifest),
		writeJSON(filepath.Join(dir, testsManifestName), tests))
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// GoStandIn is the go command as the lessons' commands see it (see the
// comment above envRealGo): it handles args as the real go would and
// returns the exit code.
func GoStandIn(args []string) int {
	realGo := os.Getenv(envRealGo)
	if code, handled := standIn(args); handled {
		return code
	}
	err := syscall.Exec(realGo, append([]string{"go"}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "go (the lessons' stand-in): running %s: %v\n", realGo, err)
	return 2
}

// standIn does what the stand-in does itself, and says whether it did.
func standIn(args []string) (code int, handled bool) {
	if len(args) < 2 {
		return 0, false
	}
	switch {
	case args[0] == "run":
		if program := programOf(args[1]); program != "" {
			return runProgram(program, args[2:]), true
		}
	case args[0] == "build" && len(args) == 4 && args[1] == "-o":
		if program := programOf(args[3]); program != "" {
			if err := copyFile(program, args[2]); err != nil {
				fmt.Fprintf(os.Stderr, "go build: %v\n", err)
				return 1, true
			}
			return 0, true
		}
	case args[0] == "test" && os.Getenv("BITTORRENT_PROGRAM") == "" && allPackagePaths(args[1:]):
		return listTests(args[1:]), true
	case args[0] == "test":
		if run, verbose, pkg, ok := stageTestArgs(args[1:]); ok {
			if program, found := testProgramOf(pkg); found {
				return runTestProgram(program, pkg, run, verbose), true
			}
		}
	}
	return 0, false
}

// stageTestArgs reads `go test [-count=1] [-run <pattern>] [-v] <package>`
// (the shape of the lessons' lines that run a stage's tests), and says
// whether args have that shape.
func stageTestArgs(args []string) (run string, verbose bool, pkg string, ok bool) {
	for len(args) > 1 {
		switch {
		case args[0] == "-count=1":
		case args[0] == "-v":
			verbose = true
		case args[0] == "-run":
			run, args = args[1], args[1:]
		case strings.HasPrefix(args[0], "-run="):
			run = strings.TrimPrefix(args[0], "-run=")
		default:
			return "", false, "", false
		}
		args = args[1:]
	}
	if len(args) != 1 || !allPackagePaths(args) || strings.HasSuffix(args[0], "...") {
		return "", false, "", false
	}
	return run, verbose, args[0], true
}

// testProgramOf returns the test program built for the package pkg.
func testProgramOf(pkg string) (testProgram, bool) {
	data, err := os.ReadFile(filepath.Join(os.Getenv(envPrograms), testsManifestName))
	if err != nil {
		return testProgram{}, false
	}
	var manifest map[string]testProgram
	if json.Unmarshal(data, &manifest) != nil {
		return testProgram{}, false
	}
	dir, err := filepath.Abs(pkg)
	if err != nil {
		return testProgram{}, false
	}
	program, ok := manifest[dir]
	return program, ok
}

// runTestProgram runs a stage's test program in the package's folder, as
// go test runs it, and prints what go test prints: the program's output
// (without its last "PASS" when it passes, unless verbose), then
// "ok  <package>  <time>", or "FAIL  <package>  <time>" and "FAIL".
func runTestProgram(program testProgram, pkg, run string, verbose bool) int {
	args := []string{"-test.paniconexit0", "-test.timeout=10m0s"}
	if run != "" {
		args = append(args, "-test.run="+run)
	}
	if verbose {
		args = append(args, "-test.v=true")
	}
	cmd := exec.Command(program.Path, args...)
	cmd.Dir = pkg
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start).Seconds()
	text := out.String()
	if err != nil {
		fmt.Print(text)
		var exitErr *exec.ExitError
		switch {
		case !errors.As(err, &exitErr):
			fmt.Println(err)
		case !strings.HasSuffix(text, "FAIL\n"):
			fmt.Println(exitErr) // a test program that died: "exit status 2"
		}
		fmt.Printf("FAIL\t%s\t%.3fs\nFAIL\n", program.ImportPath, took)
		return 1
	}
	note := ""
	if !verbose {
		text = strings.TrimSuffix(text, "PASS\n")
		if rest, cut := strings.CutPrefix(text, "testing: warning: no tests to run\n"); cut {
			text, note = rest, " [no tests to run]"
		}
	}
	fmt.Printf("%sok  \t%s\t%.3fs%s\n", text, program.ImportPath, took, note)
	return 0
}

// programOf returns the program built for pkg (a path such as
// ./stage05_info or ., from the working directory), or "" when none was.
func programOf(pkg string) string {
	if pkg != "." && !strings.HasPrefix(pkg, "./") && !strings.HasPrefix(pkg, "../") {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(os.Getenv(envPrograms), manifestName))
	if err != nil {
		return ""
	}
	var manifest map[string]string
	if json.Unmarshal(data, &manifest) != nil {
		return ""
	}
	dir, err := filepath.Abs(pkg)
	if err != nil {
		return ""
	}
	return manifest[dir]
}

// runProgram runs program as go run would: on a failure it prints the exit
// status on stderr and exits with 1.
func runProgram(program string, args []string) int {
	cmd := exec.Command(program, args...)
	cmd.Args[0] = filepath.Base(program)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the program (it is in the same process group) and
	// ends it; like go run, the stand-in waits for that instead of dying.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt, syscall.SIGTERM)
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, exitErr) // "exit status 1", "signal: interrupt"
		return 1
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// allPackagePaths: every arg is a relative package path (./stage05_info/...),
// none a flag.
func allPackagePaths(args []string) bool {
	for _, a := range args {
		if a != "." && !strings.HasPrefix(a, "./") {
			return false
		}
	}
	return true
}

// listTests prints what go test prints for packages whose tests pass.
func listTests(patterns []string) int {
	const format = `{{if or .TestGoFiles .XTestGoFiles}}ok  {{"\t"}}{{.ImportPath}}{{"\t"}}0.000s` +
		`{{else}}?   {{"\t"}}{{.ImportPath}}{{"\t"}}[no test files]{{end}}`
	cmd := exec.Command(os.Getenv(envRealGo), append([]string{"list", "-f", format}, patterns...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if cmd.Run() != nil {
		return 1
	}
	return 0
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
