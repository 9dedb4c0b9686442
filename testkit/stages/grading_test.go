package stages_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/cli"
	"workbook/testkit/gobuild"
	"workbook/testkit/stages"
)

// built holds every stage's program and the test program of its CLI tests
// (the stage root's package), built once for the tests of this package.
var built struct {
	once     sync.Once
	folders  []string
	programs string // folder of stageNN_x
	tests    string // folder of stageNN_x.test
	err      error
}

// buildStages builds every stage's program and CLI test program: two go
// commands, each linking side by side, into folders kept from one run to
// the next (gobuild.Dir), so a run links only the stages that changed.
// The test programs then run directly, as go test would run them, without
// a go command (and its link) per run.
func buildStages(t *testing.T) (folders []string, program, test func(folder string) string) {
	t.Helper()
	built.once.Do(func() {
		built.folders, built.err = stages.Folders(root)
		if built.err != nil {
			return
		}
		var pkgs []string
		for _, f := range built.folders {
			pkgs = append(pkgs, "./"+f)
		}
		if built.programs, built.err = gobuild.Dir(root, "programs"); built.err != nil {
			return
		}
		if built.tests, built.err = gobuild.Dir(root, "stage-tests"); built.err != nil {
			return
		}
		var wg sync.WaitGroup
		var testsErr error
		wg.Go(func() { testsErr = gobuild.Build(root, built.tests, true, pkgs...) })
		built.err = gobuild.Build(root, built.programs, false, pkgs...)
		wg.Wait()
		if built.err == nil {
			built.err = testsErr
		}
	})
	require.NoError(t, built.err)
	return built.folders,
		func(f string) string { return filepath.Join(built.programs, f) },
		func(f string) string { return filepath.Join(built.tests, f+".test") }
}

// gradeCLI runs the CLI tests of a stage (its test program, in the stage's
// folder, as go test would) against program, in grading mode. Flags are the
// test program's (-test.run, -test.failfast).
func gradeCLI(t *testing.T, testProgram, folder, program string, flags ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testProgram, append([]string{"-test.timeout=10m"}, flags...)...)
	cmd.Dir = filepath.Join(root, folder)
	cmd.Env = append(os.Environ(), cli.ProgramEnv+"="+program)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// TestGradingMode checks that grading mode grades. Each stage's CLI tests,
// pointed with BITTORRENT_PROGRAM at the previous stage's program, which
// lacks the stage's concept, fail (so they test the program from outside,
// not the solution's internals). And pointed at the stage's own program,
// they pass: nothing in grading mode rejects a correct program. Outside
// grading mode, a stage's own go test runs the same CLI tests with the same
// checks plus exact ones, so this run adds only the checks that grading
// mode makes instead (GradingOnlyTests): those tests of the last stage,
// which holds every stage's tests, run in every run; with CI set (as
// .ci/run does), every stage's, and the last stage's whole CLI suite.
func TestGradingMode(t *testing.T) {
	folders, program, test := buildStages(t)
	last := folders[len(folders)-1]
	// The stages are graded side by side: most of a run is spent waiting on
	// child processes (the program, fake peers), not on the CPU.
	slots := make(chan struct{}, 3)
	for i, folder := range folders {
		t.Run(folder, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			if i > 0 {
				t.Run("previous program fails", func(t *testing.T) { previousProgramFails(t, folders[i-1], folder, test(folder), program(folders[i-1])) })
			}
			t.Run("own program passes", func(t *testing.T) { gradeOwnProgram(t, folder, last, test(folder), program(folder)) })
		})
	}
}

// previousProgramFails runs the CLI tests of stage folder in grading mode
// against the program of the stage before it, prev, which lacks the
// stage's concept: they must fail. The tests the stage adds or changes run
// first (where the concept shows, most often; the whole suite of a late
// stage runs for minutes); only if they pass does the whole suite run.
func previousProgramFails(t *testing.T, prev, folder, test, program string) {
	names, err := stages.NewCLITests(filepath.Join(root, prev), filepath.Join(root, folder))
	require.NoError(t, err)
	patterns := []string{""} // the whole suite
	if len(names) > 0 {
		patterns = []string{"^(" + strings.Join(names, "|") + ")$", ""}
	}
	var out string
	for _, pattern := range patterns {
		if out, err = gradeCLI(t, test, folder, program, "-test.failfast", "-test.run="+pattern); err != nil {
			break
		}
	}
	require.Error(t, err, "the CLI tests of %s must fail against %s's program, which lacks this stage's concept:\n%s", folder, prev, out)
	require.Contains(t, out, "--- FAIL", "a failing test, not a failure to start, must reject it:\n%s", out)
}

// gradeOwnProgram runs the CLI tests of a stage in grading mode against the
// stage's own program, which must pass. Every run grades the last stage's
// GradingOnlyTests; with CI set, every stage's GradingOnlyTests and the
// last stage's whole suite (which holds every stage's tests). Each stage's
// whole suite again would double the stages' test time for checks their own
// go test already makes (outside grading mode, with exact ones added).
func gradeOwnProgram(t *testing.T, folder, last, test, program string) {
	ci := os.Getenv("CI") != ""
	if !ci && folder != last {
		t.Skipf("the checks only grading mode makes run for the last stage, %s, whose tests hold this stage's; every stage's with CI set", last)
	}
	var flags []string
	if !ci || folder != last {
		names, err := stages.GradingOnlyTests(filepath.Join(root, folder))
		require.NoError(t, err)
		if len(names) == 0 && folder != last {
			t.Skipf("no CLI test of %s checks anything differently in grading mode", folder)
		}
		require.NotEmpty(t, names, "no CLI test of %s checks anything differently in grading mode: is cli.Grading() still what the tests call?", folder)
		flags = []string{"-test.run=^(" + strings.Join(names, "|") + ")$"}
	}
	out, err := gradeCLI(t, test, folder, program, flags...)
	require.NoError(t, err, "the CLI tests of %s must pass against its own program in grading mode:\n%s", folder, out)
	require.True(t, strings.HasSuffix(out, "PASS"), "the CLI tests must have run:\n%s", out)
}

// TestGradingModeNearMisses checks that the contract's looser comparisons
// (JSON as values, info lines as labelled sections in order) accept what a
// correct program in another language prints and still refuse a wrong
// answer. Each case wraps a stage's own program in a script that changes
// its stdout, and grades the wrapper.
func TestGradingModeNearMisses(t *testing.T) {
	_, program, test := buildStages(t)
	bin := t.TempDir()
	dicts, pieces := program("stage04_dicts"), program("stage07_pieces")
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
			t.Parallel()
			out, err := gradeCLI(t, test(tc.folder), tc.folder, tc.program, "-test.run", tc.run)
			if tc.pass {
				require.NoError(t, err, "%s:\n%s", tc.name, out)
				require.True(t, strings.HasSuffix(out, "PASS"), "the tests must have run:\n%s", out)
			} else {
				require.Error(t, err, "%s:\n%s", tc.name, out)
				require.Contains(t, out, "--- FAIL", "a failing test, not a failure to start, must reject it:\n%s", out)
			}
		})
	}
}
