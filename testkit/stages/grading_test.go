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
	bin := t.TempDir()
	programs := make([]string, len(folders))
	for i, folder := range folders {
		programs[i] = filepath.Join(bin, folder)
		build := exec.Command("go", "build", "-o", programs[i], ".")
		build.Dir = filepath.Join(root, folder)
		out, err := build.CombinedOutput()
		require.NoError(t, err, "go build in %s:\n%s", folder, out)
	}
	for i, folder := range folders {
		t.Run(folder, func(t *testing.T) {
			out, err := gradeCLI(t, folder, programs[i])
			require.NoError(t, err, "the CLI tests of %s must pass against its own program in grading mode:\n%s", folder, out)
			require.Contains(t, out, "ok ", "go test must have run the CLI tests:\n%s", out)
			if i == 0 {
				return
			}
			out, err = gradeCLI(t, folder, programs[i-1])
			require.Error(t, err, "the CLI tests of %s must fail against %s's program, which lacks this stage's concept:\n%s",
				folder, folders[i-1], out)
			require.Contains(t, out, "--- FAIL", "a failing test, not a build error, must reject it:\n%s", out)
		})
	}
}

// gradeCLI runs the CLI tests at the root of a stage (not its unit tests,
// which grading mode skips anyway) against program.
func gradeCLI(t *testing.T, folder, program string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Dir = filepath.Join(root, folder)
	cmd.Env = append(os.Environ(), cli.ProgramEnv+"="+program)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
