package gobuild_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/gobuild"
)

// TestProgram builds a small main package twice (the second time from the
// build cache) and runs what it wrote.
func TestProgram(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.25.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644))
	t.Setenv("GOWORK", "off") // a module of its own, outside the workbook's go.work
	for _, name := range []string{"first", "second"} {
		dest := filepath.Join(t.TempDir(), name)
		require.NoError(t, gobuild.Program(dir, ".", dest))
		out, err := exec.Command(dest).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, "hello\n", string(out))
	}
}

func TestProgramBuildError(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.25.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644))
	t.Setenv("GOWORK", "off")
	err := gobuild.Program(dir, ".", filepath.Join(t.TempDir(), "program"))
	require.ErrorContains(t, err, "undefined")
}
