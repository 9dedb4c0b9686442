//go:build !linux

package realbt

import "syscall"

// sysProcAttr has no death signal outside Linux; t.Cleanup still kills
// every program when the test ends normally.
func sysProcAttr() *syscall.SysProcAttr { return nil }
