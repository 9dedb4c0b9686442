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

// TestGradingModeNearMisses checks that the contract's looser comparisons
// (JSON as values, info lines as labelled sections in order) accept what a
// correct program in another language prints and still refuse a wrong
// answer. Each case wraps a stage's own program in a script that changes
// its stdout, and grades the wrapper.
func TestGradingModeNearMisses(t *testing.T) {
	bin := t.TempDir()
	build := func(folder string) string {
		path := filepath.Join(bin, folder)
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Dir = filepath.Join(root, folder)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go build in %s:\n%s", folder, out)
		return path
	}
	dicts, pieces := build("stage04_dicts"), build("stage07_pieces")
	// wrap returns a script running program whose stdout for command goes
	// through filter (a shell pipeline); the exit code is the program's.
	wrap := func(name, program, command, filter string) string {
		script := filepath.Join(bin, name)
		text := "#!/bin/sh\nif [ \"$1\" != " + command + " ]; then exec " + program + " \"$@\"; fi\n" +
			"out=$(" + program + " \"$@\"); code=$?\n" +
			"[ -n \"$out\" ] && printf '%s\\n' \"$out\" | " + filter + "\nexit $code\n"
		require.NoError(t, os.WriteFile(script, []byte(text), 0o755))
		return script
	}
	tests := []struct {
		name, folder, run, program string
		pass                       bool
	}{
		{"JSON with Python's spacing passes", "stage04_dicts", "TestDecodeLists|TestDecodeDicts",
			wrap("spaced", dicts, "decode", `sed 's/,/, /g; s/":/": /g'`), true},
		{"JSON with one value off fails", "stage04_dicts", "TestDecodeLists$",
			wrap("off-by-one", dicts, "decode", `sed 's/52/53/'`), false},
		{"JSON with a list reversed fails", "stage04_dicts", "TestDecodeLists$",
			wrap("reversed", dicts, "decode", `sed 's/\["hello",52\]/[52,"hello"]/'`), false},
		{"stage 7's info lines pass stage 5", "stage05_info", "TestInfo", pieces, true},
		{"stage 7's info lines pass stage 6", "stage06_infohash", "TestInfo", pieces, true},
		{"info lines out of order fail", "stage05_info", "TestInfo$",
			wrap("swapped", pieces, "info", `awk 'NR==1{first=$0; next} NR==2{print; print first; next} {print}'`), false},
		{"an extra piece hash fails", "stage07_pieces", "TestInfo$",
			wrap("extra-hash", pieces, "info", `awk '{print} /^Piece Hashes:$/{print "0000000000000000000000000000000000000000"}'`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := gradeCLI(t, tc.folder, tc.program, "-run", tc.run)
			if tc.pass {
				require.NoError(t, err, "%s:\n%s", tc.name, out)
				require.Contains(t, out, "ok ", "go test must have run the tests:\n%s", out)
			} else {
				require.Error(t, err, "%s:\n%s", tc.name, out)
				require.Contains(t, out, "--- FAIL", "a failing test, not a build error, must reject it:\n%s", out)
			}
		})
	}
}
