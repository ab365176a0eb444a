//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/store/storetest"
	"github.com/otklik/otklik/tasks"
)

// TestChangesModeInPlace: a worker starts in busy mode (GODEBUG schedtrace,
// read from the kernel's copy of its environment), restarts itself in quiet
// mode once it has dozed, and in busy mode again when kept busy, all under
// the PID it was started with; SIGTERM still stops it cleanly. Modes do not
// depend on the database, so it runs once.
func TestChangesModeInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if storetest.Postgres() {
		t.Skip("runs on SQLite only: the mode does not depend on the database")
	}
	rig := newWorkerRig(t)
	queue := asynq.NewClient(asynq.RedisClientOpt{Addr: rig.redis.Addr()})
	defer queue.Close()

	w := &process{name: "worker", cmd: exec.Command(rig.bin, "-busy-after", "1s", "-quiet-after", "2s")}
	w.start(t, rig.dir, append(rig.env, "LOG_LEVEL=info"))
	pid := w.cmd.Process.Pid
	started := func(n int, mode string) {
		t.Helper()
		w.waitForCount(t, `msg="worker started"`, n)
		lines := grepLines(w.out.String(), `msg="worker started"`)
		if last := lines[n-1]; !strings.Contains(last, "mode="+mode) || !strings.Contains(strings.TrimSpace(last)+" ", fmt.Sprintf("pid=%d ", pid)) {
			t.Fatalf("start %d is not in %s mode under pid %d: %s", n, mode, pid, last)
		}
		busy := bytes.Contains(environ(t, pid), []byte("schedtrace=2147483647"))
		if busy != (mode == "busy") {
			t.Fatalf("in %s mode, the process's environment has schedtrace: %v", mode, busy)
		}
	}
	started(1, "busy")
	// Nothing to do: it dozes, and after -quiet-after goes quiet.
	started(2, "quiet")

	// Steady work: a task every 200 ms keeps the task server awake.
	ctx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	go func() {
		for slot := int64(1); ctx.Err() == nil; slot++ {
			_, _ = queue.EnqueueContext(ctx, tasks.NewTickTask(slot))
			time.Sleep(200 * time.Millisecond)
		}
	}()
	started(3, "busy")
	stopWork()
	w.stop(t)
	if !strings.Contains(w.out.String(), "worker restarting in place to change mode") {
		t.Errorf("the worker did not say why it restarted:\n%s", w.out.String())
	}
}

// waitForCount waits until the process has printed want n times.
func (p *process) waitForCount(t *testing.T, want string, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); strings.Count(p.out.String(), want) < n; time.Sleep(50 * time.Millisecond) {
		if p.exited() {
			t.Fatalf("%s exited (%v) before saying %q %d times", p.name, p.err, want, n)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s said %q fewer than %d times", p.name, want, n)
		}
	}
}

func grepLines(s, want string) []string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, want) {
			out = append(out, line)
		}
	}
	return out
}

// environ is the process's environment as the kernel holds it.
func environ(t *testing.T, pid int) []byte {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
