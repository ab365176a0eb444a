//go:build !linux

package app

import "errors"

// Elsewhere the process stays in the mode it started in.
const canReexec = false

func reexec([]string) error { return errors.New("re-executing the worker is supported on Linux only") }
