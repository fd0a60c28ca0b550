package redistest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel stop the server when the test binary that started it
// dies without its cleanups (a timeout's panic, ^C, kill -9), instead of leaving it
// running on its port. (The kernel ties the signal to the OS thread that forked; Go ends
// a thread only when a goroutine exits while locked to it, which these tests never do.)
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
