package gobuild

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// static builds programs without cgo. The tests start a stage's program
// thousands of times, and a program linked against the C library (as the
// net package makes it by default where a C compiler is installed) first
// runs the dynamic loader: on the 2-core test machine that is 20 ms of CPU
// a start instead of 16. The programs only ever reach 127.0.0.1, so the C
// library's name resolver, the one thing cgo would bring, is never used.
// Test programs keep the go command's default, so that go test work and
// the tools that build them share one build of every package.
const static = "CGO_ENABLED=0"

// Program writes the program of the main package pkg (a package path as the
// go command takes it, such as "./stage05_info" or ".", relative to dir) to
// dest, as `go build -o dest pkg` run in dir would.
func Program(dir, pkg, dest string) error {
	args := []string{"run", "-exec", "cp", pkg, dest}
	if _, err := exec.LookPath("cp"); err != nil {
		args = []string{"build", "-o", dest, pkg} // no cp to take the cached program: link it
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), static)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// Dir returns a folder for programs that outlive a test run: in the user's
// cache folder, one per checkout of the workbook (root) and name. Tests and
// tools that build the same programs share one ("programs", "stage-tests"):
// Build replaces a program by a rename, so one may run it meanwhile. Built
// into it with Build, a program whose code has not changed since the last
// run is not linked again: go build skips a program whose build ID is up
// to date.
func Dir(root, purpose string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "workbook", fmt.Sprintf("%x", sha256.Sum256([]byte(abs)))[:16], purpose)
	return dir, os.MkdirAll(dir, 0o755)
}

// Build builds the programs of the main packages pkgs (paths relative to
// root, such as ./stage05_info) into dir with one go command, which links
// them side by side; with tests set, their test programs (go test -c). A
// program is named after its package's folder (stage05_info, or
// stage05_info.test).
func Build(root, dir string, tests bool, pkgs ...string) error {
	args := []string{"build"}
	if tests {
		args = []string{"test", "-c"}
	}
	args = append(append(args, "-o", dir+string(filepath.Separator)), pkgs...)
	// The go command's work folder beside dir, on the same file system, so
	// that it moves each new program into place (a rename: a test or a
	// grader running the old one at that moment keeps running it) instead
	// of copying it over.
	work := filepath.Join(dir, ".work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	// One build at a time into dir: go test work runs the lesson checker,
	// the grader's tests and testkit/stages side by side, and each builds
	// the same programs. After the first, the others find them up to date
	// instead of linking each again (on a fresh checkout, about 20 links).
	unlock, err := lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOTMPDIR="+work)
	if !tests {
		cmd.Env = append(cmd.Env, static)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
