package app

import (
	"os"
	"slices"
	"strings"
	"time"
)

// Busy mode: a worker process that has worked steadily re-executes itself
// with Go's runtime monitor kept awake, and goes back once it has dozed a
// while.
//
// The monitor (sysmon) sleeps deeply while every P is idle, and the next
// system call or cgo call (SQLite) wakes it, after which it polls every
// 20 µs until the process is idle again. A worker at hh's pace is idle
// between nearly every two steps of an application, each of which waits on
// hh, Redis or the disk, so it wakes the monitor dozens of times per
// application, and each wake-up is a thread switch. With GODEBUG schedtrace
// set, the monitor never sleeps deeply: it polls at most every 10 ms,
// whether there is work or not. That is cheaper under steady work (about
// 30 % less CPU per application, docs/BENCHMARKS.md, "Worker cost") and
// dearer at rest, where the monitor would wake 100 times a second instead
// of sleeping. The runtime reads the setting once, at start, so a change of
// mode is a graceful stop (running tasks finish or go back to the queue, as
// on SIGTERM) and an exec of the same binary: the process keeps its PID,
// its supervisor sees nothing, and its CPU time adds up across the exec. A
// worker process starts in busy mode (StartBusy), since it is started for
// work, and goes quiet once it has dozed for QuietAfter.
//
// busyGODEBUG asks for a scheduler trace line once every 24.8 days: the
// monitor's wakefulness is the point, the line is a side effect (one to
// standard error at start when the machine has been up longer than that).
const busyGODEBUG = "schedtrace=2147483647"

// Defaults for WorkerOptions.BusyAfter and QuietAfter. A worker at rest
// wakes for a minute's tick for about dozeAfter, well short of BusyAfter;
// QuietAfter is short because an idle minute in busy mode costs about as
// much as half an hour of dozing in quiet mode.
const (
	DefaultBusyAfter  = 15 * time.Second
	DefaultQuietAfter = 15 * time.Second
)

// RunsBusy reports whether this process runs in busy mode.
func RunsBusy() bool { return hasBusyGODEBUG(os.Getenv("GODEBUG")) }

// ModeName is "busy" or "quiet", for the worker's log.
func ModeName() string {
	if RunsBusy() {
		return "busy"
	}
	return "quiet"
}

func hasBusyGODEBUG(godebug string) bool {
	return slices.Contains(strings.Split(godebug, ","), busyGODEBUG)
}

// canShift reports whether the process may change mode: the platform can
// re-execute it, and the operator set no schedtrace of their own, which a
// change of mode would override or drop.
func canShift(godebug string) bool {
	if !canReexec {
		return false
	}
	for _, kv := range strings.Split(godebug, ",") {
		if kv = strings.TrimSpace(kv); strings.HasPrefix(kv, "schedtrace=") && kv != busyGODEBUG {
			return false
		}
	}
	return true
}

// shiftedEnv is environ for the other mode: GODEBUG with busyGODEBUG added
// (busy) or taken out, every other variable and setting as it was.
func shiftedEnv(environ []string, busy bool) []string {
	out := make([]string, 0, len(environ)+1)
	var godebug []string
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			if v != "" {
				godebug = strings.Split(v, ",")
			}
			continue
		}
		out = append(out, kv)
	}
	godebug = slices.DeleteFunc(godebug, func(s string) bool { return s == busyGODEBUG })
	if busy {
		godebug = append(godebug, busyGODEBUG)
	}
	if len(godebug) > 0 {
		out = append(out, "GODEBUG="+strings.Join(godebug, ","))
	}
	return out
}

// StartBusy re-executes this process in busy mode, unless it runs in it
// already or cannot change mode, or busyAfter is zero (the worker never
// changes mode). A worker process calls it first thing, before it has opened
// anything: it is started because there is work, and it goes quiet once it
// has dozed for QuietAfter. It returns only when the process stays as it is
// (with the exec's error, if that failed).
func StartBusy(busyAfter time.Duration) error {
	godebug := os.Getenv("GODEBUG")
	if busyAfter <= 0 || os.Getenv(shiftedEnvVar) != "" || hasBusyGODEBUG(godebug) || !canShift(godebug) {
		return nil
	}
	return Shift()
}

// shiftedEnvVar marks a process re-executed by Shift: its mode is chosen
// already, and StartBusy leaves it.
const shiftedEnvVar = "OTKLIK_WORKER_SHIFTED"

// Shift re-executes this process's binary, with its arguments, in the
// other mode. It returns only when that fails; the caller has stopped
// everything it started and carries on in the same mode.
func Shift() error {
	env := shiftedEnv(os.Environ(), !RunsBusy())
	if os.Getenv(shiftedEnvVar) == "" {
		env = append(env, shiftedEnvVar+"=1")
	}
	return reexec(env)
}

// shifter decides, for the dozer, when the process should change mode.
type shifter struct {
	busy       bool          // the process runs in busy mode
	busyAfter  time.Duration // steady work (the task server awake) before busy mode
	quietAfter time.Duration // dozing before quiet mode
	asked      chan struct{} // closed when the process should change mode
}

// newShifter returns nil when the process cannot change mode or busyAfter
// is zero (never).
func newShifter(busyAfter, quietAfter time.Duration) *shifter {
	godebug := os.Getenv("GODEBUG")
	if busyAfter <= 0 || !canShift(godebug) {
		return nil
	}
	if quietAfter <= 0 {
		quietAfter = DefaultQuietAfter
	}
	return &shifter{busy: hasBusyGODEBUG(godebug), busyAfter: busyAfter, quietAfter: quietAfter, asked: make(chan struct{})}
}

// awake is called with how long the task server has been awake, dozing with
// how long it has dozed; either may ask for the other mode.
func (s *shifter) awake(d time.Duration) {
	if !s.busy && d >= s.busyAfter {
		s.ask()
	}
}

func (s *shifter) dozing(d time.Duration) {
	if s.busy && d >= s.quietAfter {
		s.ask()
	}
}

func (s *shifter) ask() {
	select {
	case <-s.asked:
	default:
		close(s.asked)
	}
}

// RunInModes runs a worker process's life in its modes: it starts it busy
// (StartBusy), then calls run until run asks for no change of mode, and
// re-executes the process in the other mode each time it does. run gets the
// BusyAfter to use: 0 once a re-exec has failed, so the process carries on
// in the mode it is in, after saying so through warn. It returns run's
// error.
func RunInModes(busyAfter time.Duration, warn func(error), run func(busyAfter time.Duration) (shift bool, err error)) error {
	if err := StartBusy(busyAfter); err != nil {
		warn(err)
		busyAfter = 0
	}
	for {
		shift, err := run(busyAfter)
		if err != nil || !shift {
			return err
		}
		// Everything run started is stopped and closed: become the same
		// binary in the other mode. Shift returns only when that failed.
		warn(Shift())
		busyAfter = 0
	}
}
