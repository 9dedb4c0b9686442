package realbt

import "syscall"

// sysProcAttr makes the kernel kill a started program when the test binary
// dies (a crash or a timeout panic skips t.Cleanup), so no real seeder is
// left running on the machine.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
