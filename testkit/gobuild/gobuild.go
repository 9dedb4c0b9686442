package gobuild

import (
	"fmt"
	"os/exec"
	"strings"
)

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
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}
