//go:build unix

package gobuild

import (
	"os"
	"syscall"
)

// lock holds an exclusive lock on the file at path, made if missing, until
// unlock is called; it waits while another process holds it. The kernel
// lets go of it if the process dies.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
