package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWithEnv: a runner's variables reach the program, for its runs only.
// The program under test is a script that prints the variable (grading
// mode, as a learner's program would be run).
func TestWithEnv(t *testing.T) {
	script := filepath.Join(t.TempDir(), "your_program.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"timeout=$WORKBOOK_PEER_TIMEOUT\"\n"), 0o755))
	t.Setenv(ProgramEnv, script)
	t.Setenv("WORKBOOK_PEER_TIMEOUT", "")

	require.Equal(t, "timeout=2s\n", WithEnv("WORKBOOK_PEER_TIMEOUT=2s").Run(t).Stdout)
	require.Equal(t, "timeout=1s\n", WithEnv("WORKBOOK_PEER_TIMEOUT=1s").RunTimeout(t, DefaultTimeout).Stdout)
	require.Equal(t, "timeout=\n", Run(t).Stdout, "the test's own environment is left as it was")
}
