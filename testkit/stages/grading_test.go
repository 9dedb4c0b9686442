package stages_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/stages"
)

// TestGradingMode checks that grading mode grades: each stage's CLI tests,
// pointed with BITTORRENT_PROGRAM at the stage's own program, pass (so they
// test the program from outside, not the solution's internals), and pointed
// at the previous stage's program, which lacks the stage's concept, fail.
func TestGradingMode(t *testing.T) {
	folders, err := stages.Folders(root)
	require.NoError(t, err)
	programs := buildPrograms(t, folders)
	// The stages are graded side by side: most of a run is spent waiting on
	// child processes (the program, fake and real peers), not on the CPU.
	slots := make(chan struct{}, 3)
	for i, folder := range folders {
		t.Run(folder, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			out, err := gradeCLI(t, folder, programs[i])
			require.NoError(t, err, "the CLI tests of %s must pass against its own program in grading mode:\n%s", folder, out)
			require.Contains(t, out, "ok ", "go test must have run the CLI tests:\n%s", out)
			if i == 0 {
				return
			}
			out, err = gradeCLI(t, folder, programs[i-1], "-failfast")
			require.Error(t, err, "the CLI tests of %s must fail against %s's program, which lacks this stage's concept:\n%s",
				folder, folders[i-1], out)
			require.Contains(t, out, "--- FAIL", "a failing test, not a build error, must reject it:\n%s", out)
		})
	}
}

// buildPrograms builds every stage's program with one go command, which
// compiles them in parallel, and returns their paths in the order of folders.
func buildPrograms(t *testing.T, folders []string) []string {
	t.Helper()
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	programs := make([]string, len(folders))
	for i, folder := range folders {
		args = append(args, "./"+folder)
		programs[i] = filepath.Join(bin, folder) // go build names a program after its folder
	}
	build := exec.Command("go", args...)
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	return programs
}

// gradeCLI runs the CLI tests at the root of a stage (not its unit tests,
// which grading mode skips anyway) against program. -failfast, for a run that
// must fail, stops at the first failing test: one is all the check needs.
func gradeCLI(t *testing.T, folder, program string, flags ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"test", "-count=1"}, append(flags, ".")...)...)
	cmd.Dir = filepath.Join(root, folder)
	cmd.Env = append(os.Environ(), cli.ProgramEnv+"="+program)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
