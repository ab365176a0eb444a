package app

import (
	"os"
	"syscall"
)

const canReexec = true

// reexec replaces the process image with the binary it runs: /proc/self/exe
// is that very file even when a deploy has replaced it on disk since.
func reexec(env []string) error {
	return syscall.Exec("/proc/self/exe", os.Args, env)
}
