//go:build unix

package gobuild

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLockExcludes: a second lock on the same file waits for the first to
// be let go (flock locks belong to each open file, so this holds inside one
// process too).
func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	unlock, err := lock(path)
	require.NoError(t, err)
	acquired := make(chan func(), 1)
	go func() {
		second, err := lock(path)
		if err == nil {
			acquired <- second
		}
	}()
	select {
	case <-acquired:
		t.Fatal("the second lock was taken while the first was held")
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	select {
	case second := <-acquired:
		second()
	case <-time.After(10 * time.Second):
		t.Fatal("the second lock was not taken after the first was let go")
	}
}
