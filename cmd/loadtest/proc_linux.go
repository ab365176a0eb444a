package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes a worker process end when the harness does, even
// when the harness is killed.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
