package main

import (
	"bufio"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"workbook/testkit/realbt"
)

// TestRunUntilSignal starts a small real swarm through run, reads the facts
// a script would read, stops it with SIGTERM as a script would, and checks
// that it exits 0 and has stopped its programs.
func TestRunUntilSignal(t *testing.T) {
	realbt.Require(t, "opentracker", "aria2c", "qbittorrent-nox", "ss")
	r, w := io.Pipe()
	var stderr syncBuilder
	code := make(chan int, 1)
	go func() {
		defer w.Close()
		code <- run([]string{"-size", "100000", "-piece-length", "16384"}, w, &stderr)
	}()

	facts := map[string][]string{}
	lines := bufio.NewScanner(r)
	for lines.Scan() {
		key, value, _ := strings.Cut(lines.Text(), " ")
		if key == "ready" {
			break
		}
		facts[key] = append(facts[key], value)
	}
	require.Contains(t, facts, "announce", "stderr:\n%s", stderr.String())
	require.Len(t, facts["seeder"], 2, "both seeders are listed")
	require.FileExists(t, facts["torrent"][0])
	require.FileExists(t, facts["content"][0])

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	go func() { _, _ = io.Copy(io.Discard, r) }()
	require.Equal(t, 0, <-code, "exit code; stderr:\n%s", stderr.String())
	require.NoFileExists(t, facts["torrent"][0], "the temporary directory is removed at exit")
}

// syncBuilder is a strings.Builder safe to read while run writes to it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
