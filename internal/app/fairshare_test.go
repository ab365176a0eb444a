package app

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// One person hammering rule previews from twelve loops, each changing its
// rule before every preview so no cache can answer, does not hold up
// another person's scheduled run: the hammerer gets one preview from hh per
// 10 seconds and is told to wait for the rest, and the other person's run
// takes about as long as the same run with nobody hammering (both figures
// are printed; only counts are asserted). The budget is 2 requests a second
// so that a hammerer without a share of their own would visibly take it.
func TestPreviewHammerDoesNotDelayOthersRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("measures whole rule runs")
	}
	inst, base := startInstance(t, map[string]string{"HH_RATE_LIMIT": "2", "APPLY_INTERVAL": "100ms"})
	if err := inst.StartWorker(8); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hhc, err := hh.NewClient(HHConfig(inst.Config, nil))
	if err != nil {
		t.Fatal(err)
	}
	var applicants []hhsandbox.User
	for _, u := range inst.Sandbox.Users() {
		if u.Applicant {
			applicants = append(applicants, u)
		}
	}
	// connect gives Otklik user email a token of sandbox applicant a and
	// returns the user and a published resume.
	connect := func(email string, a hhsandbox.User) (*store.User, string) {
		t.Helper()
		u, err := inst.Store.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := inst.Sandbox.IssueToken(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.Store.SaveHHAccount(ctx, u.ID, store.HHAccount{HHUserID: a.ID, FirstName: a.FirstName, LastName: a.LastName,
			Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt}}); err != nil {
			t.Fatal(err)
		}
		resumes, err := hhc.WithToken(tok.AccessToken).MyResumes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.Store.ReplaceResumes(ctx, u.ID, resumes); err != nil {
			t.Fatal(err)
		}
		for _, r := range resumes {
			if r.Published() {
				return u, r.ID
			}
		}
		t.Fatalf("sandbox applicant %s has no published resume", a.ID)
		return nil, ""
	}
	newRule := func(u *store.User, resume string, enabled bool) *rules.Rule {
		t.Helper()
		r := rules.Defaults()
		r.UserID, r.Name, r.ResumeID, r.Enabled = u.ID, "rule", resume, enabled
		r.ActiveFrom, r.ActiveTo, r.Mode, r.DailyLimit = "00:00", "00:00", rules.ModeAuto, 15
		if err := inst.Store.CreateRule(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	// scheduledRun lets the scheduler find rule due and waits for its run
	// to finish and its applications to be sent; it returns how long that
	// took and how many were sent.
	scheduledRun := func(u *store.User, rule *rules.Rule) (time.Duration, int) {
		t.Helper()
		start := time.Now()
		if err := inst.Worker.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		for deadline := start.Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			runs, err := inst.Store.LastRuns(ctx, u.ID, rule.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) == 0 || runs[0].FinishedAt == nil {
				continue
			}
			if runs[0].Error != "" {
				t.Fatalf("run failed: %s", runs[0].Error)
			}
			queued, err := inst.Store.QueuedApplications(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			applied, err := inst.Store.AppliedSince(ctx, u.ID, start.Add(-time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(queued) == 0 && applied > 0 {
				return time.Since(start), applied
			}
		}
		t.Fatal("the scheduled run and its applications did not finish in 3 minutes")
		return 0, 0
	}

	hammerer := newVisitor(t, base)
	hammerer.register("hammer@example.com")
	for _, email := range []string{"alone@example.com", "measured@example.com"} {
		newVisitor(t, base).register(email)
	}
	ham, hamResume := connect("hammer@example.com", applicants[0])
	alone, aloneResume := connect("alone@example.com", applicants[1])
	measured, measuredResume := connect("measured@example.com", applicants[2])

	// The same run with nobody hammering.
	baseline, baselineApplied := scheduledRun(alone, newRule(alone, aloneResume, true))

	// Twelve preview loops, each on a rule of its own (disabled, so the
	// scheduler leaves them alone), changed before every preview.
	const loops = 12
	var served, refused, other atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	hammerStart := time.Now()
	for i := range loops {
		rule := newRule(ham, hamResume, false)
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				rule.Text = fmt.Sprintf("разработчик %d", n)
				if err := inst.Store.UpdateRule(ctx, rule); err != nil {
					t.Error(err)
					return
				}
				switch status, _ := hammerer.do(http.MethodGet, fmt.Sprintf("/rules/%d/preview", rule.ID), nil); status {
				case http.StatusOK:
					served.Add(1)
				case http.StatusTooManyRequests:
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		})
		_ = i
	}
	time.Sleep(time.Second) // the hammering is under way
	took, applied := scheduledRun(measured, newRule(measured, measuredResume, true))
	stillHammering := refused.Load()
	time.Sleep(200 * time.Millisecond)
	hammering := time.Since(hammerStart)
	close(stop)
	wg.Wait()

	t.Logf("another person's scheduled run, applications sent: %.1f s (%d applications) with nobody hammering; "+
		"%.1f s (%d applications) while one person hammered previews from %d loops (delay %+.1f s)",
		baseline.Seconds(), baselineApplied, took.Seconds(), applied, loops, (took - baseline).Seconds())
	t.Logf("the hammerer over %.1f s: %d previews fetched from hh, %d told to wait, %d other answers",
		hammering.Seconds(), served.Load(), refused.Load(), other.Load())

	if other.Load() != 0 {
		t.Errorf("%d previews answered neither 200 nor 429", other.Load())
	}
	if max := 2 + int64(hammering/(10*time.Second)); served.Load() > max {
		t.Errorf("the hammerer got %d previews from hh in %s, want at most %d (one per 10 s)", served.Load(), hammering.Round(time.Second), max)
	}
	if stillHammering == 0 || refused.Load() <= stillHammering {
		t.Errorf("the other person's run did not finish while the hammering went on (refused %d by then, %d in all)", stillHammering, refused.Load())
	}
}
