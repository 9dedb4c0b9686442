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
	"syscall"

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
//
// The environment tells the stand-in where the real go and the programs are.
const (
	envRealGo   = "WORKBOOK_LESSONS_GO"
	envPrograms = "WORKBOOK_LESSONS_PROGRAMS"
)

// manifestName is the file in the programs folder that maps each main
// package's folder to its program.
const manifestName = "programs.json"

// BuildPrograms builds the program of every main package of the workspace
// at root into dir (see gobuild.Dir and gobuild.Build: a folder kept from
// one check to the next, so only programs whose code changed are linked),
// and writes the manifest.
func BuildPrograms(root, dir string) error {
	list := exec.Command("go", "list", "-f", `{{if eq .Name "main"}}{{.Dir}}{{end}}`, "work")
	list.Dir = root
	out, err := list.Output()
	if err != nil {
		return fmt.Errorf("go list work: %w", err)
	}
	manifest := map[string]string{}
	taken := map[string]bool{}
	var pkgs []string
	for _, pkg := range strings.Fields(string(out)) {
		name := filepath.Base(pkg) // go build names a program after its folder
		if taken[name] {
			continue // a second folder of that name: the real go runs it
		}
		rel, err := filepath.Rel(root, pkg)
		if err != nil {
			return err
		}
		taken[name], manifest[pkg] = true, filepath.Join(dir, name)
		pkgs = append(pkgs, "./"+filepath.ToSlash(rel))
	}
	if err := gobuild.Build(root, dir, false, pkgs...); err != nil {
		return err
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, manifestName), data, 0o644)
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
	}
	return 0, false
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
