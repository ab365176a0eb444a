package tasks_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// A worker process killed with SIGKILL in the middle of a run, and another
// started in its place, finish the work: every vacancy the rule calls for is
// applied once, nothing is lost. The rows the dead process held are found
// again by the tick (ten minutes on, by its clock).
func TestWorkerKilledMidRunFinishesTheWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a worker process")
	}
	bin := filepath.Join(t.TempDir(), "crashworker")
	build := exec.Command("go", "build", "-o", bin, "./internal/crashworker")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the worker: %v\n%s", err, out)
	}

	e := newEnv(t, envOptions{vacancies: 100})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.LetterTemplate = "Здравствуйте! Меня интересует «{vacancy}»."
	})
	want := e.expect(u, r)
	hhUser := e.sandboxUser(u)

	first := e.startProcess(bin)
	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("15 applications", 60*time.Second, func() bool { return len(e.sandboxApplied(hhUser)) >= 15 })
	time.Sleep(37 * time.Millisecond) // somewhere inside an application's cycle
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	l := e.ledger(u)
	t.Logf("killed with %d applications at the sandbox; ledger %s", len(e.sandbox.Applications()), describe(l))
	if len(l[store.StatusQueued]) == 0 {
		t.Fatal("the run had finished before the kill: the scenario did not happen")
	}

	e.startProcess(bin)
	// The tick ten minutes on re-derives the work the dead process held.
	later := &testClock{}
	later.Advance(11 * time.Minute)
	if err := e.newWorker(later.deps()).Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 170*time.Second)

	e.assertLedger(u, want)
	e.assertNoDoubleApply(true) // a POST whose answer died with the process is retried as already_applied
	n := 0
	for _, rf := range e.sandbox.Refusals() {
		if rf.Value == "already_applied" {
			n++
		}
	}
	t.Logf("applications %d; retried POSTs refused as already applied: %d", len(e.sandbox.Applications()), n)
}

// startProcess runs the worker binary over the env until the test ends.
func (e *env) startProcess(bin string, args ...string) *exec.Cmd {
	e.t.Helper()
	opt, ok := e.conn.(asynq.RedisClientOpt)
	if !ok {
		e.t.Fatalf("unexpected redis options %T", e.conn)
	}
	argv := append([]string{"-hh", e.hhURL, "-db", e.dbPath, "-redis", opt.Addr,
		"-redis-db", fmt.Sprint(opt.DB), "-apply-interval", "60ms"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), "CRASHWORKER_SECRET="+testSecret)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		e.t.Fatalf("worker process did not start: %q %v", line, err)
	}
	return cmd
}
