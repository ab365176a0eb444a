package tasks_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/notify/smtptest"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// Invitations reach the person's mailbox once each, although the worker
// syncing them is killed mid-sync, the sync then runs twice more, the dead
// worker's task is taken up again, and the tick looks for unannounced ones.
func TestInvitationMailedOnceWhenSyncIsKilledAndRunAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a worker process")
	}
	bin := filepath.Join(t.TempDir(), "crashworker")
	build := exec.Command("go", "build", "-o", bin, "./internal/crashworker")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the worker: %v\n%s", err, out)
	}
	mail := smtptest.New(t)
	e := newEnv(t, envOptions{vacancies: 200})
	u, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 20, SummaryEmail: "anna@mail.example"})
	r := e.addRule(u, resume, nil)
	rows := e.applyAtHH(u, resume, r.ID, 3, map[string]bool{})
	for _, a := range rows {
		e.setNegotiation(a.NegotiationID, "invitation", true)
	}

	// hh answers slowly: the worker is killed while it waits for the list.
	e.sandbox.SetFaults(hhsandbox.Faults{Latency: 3 * time.Second})
	first := e.startProcess(bin, "-smtp", mail.URL())
	before := e.traffic.Snapshot()
	if err := (tasks.Jobs{Queue: e.queue}).SyncOutcomes(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("the sync's request at hh", 30*time.Second, func() bool {
		return e.traffic.Snapshot().Sub(before).Negotiations >= 1
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	if a := e.row(u, rows[0].ID); a.State != "" {
		t.Fatalf("the sync finished before the kill (row says %q): the scenario did not happen", a.State)
	}
	e.sandbox.SetFaults(hhsandbox.Faults{})

	e.startProcess(bin, "-smtp", mail.URL())
	w := e.newWorker()
	for range 2 {
		// The dead worker's lock lapses after its lease; the second
		// process may take the dead worker's task up meanwhile.
		var err error
		e.waitFor("a sync", 60*time.Second, func() bool {
			_, err = w.SyncNegotiations(e.ctx, u.ID)
			return err == nil || !errors.Is(err, tasks.ErrLater)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs := mail.WaitFor(3, 60*time.Second, isInvitation)
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	msgs = mail.WaitFor(4, 5*time.Second, isInvitation)
	if len(msgs) != 3 {
		t.Fatalf("%d invitation e-mails for 3 invitations, want 3", len(msgs))
	}
	for _, a := range rows {
		n := 0
		for _, m := range msgs {
			if strings.Contains(m.Text, "topicId="+a.NegotiationID) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the invitation to %s was mailed %d times", a.VacancyID, n)
		}
	}
}
