package tasks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// «Я решил капчу»: Probe asks hh at once. While the captcha is unsolved the
// pause stays; once solved, the pause lifts at once (no 30-minute wait) and
// the held-back applications go out.
func TestProbeLiftsTheCaptchaPauseAtOnce(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150, applyInterval: 20 * time.Millisecond})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) { r.Mode = rules.ModeLetters })
	want := e.expect(u, r)
	hhUser := e.sandboxUser(u)
	w := e.startWorker()

	if err := (tasks.Jobs{Queue: e.queue, Store: e.store}).RunRule(e.ctx, u.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	e.waitFor("5 applications", 60*time.Second, func() bool { return len(e.sandboxApplied(hhUser)) >= 5 })
	e.sandbox.SetFaults(hhsandbox.Faults{Captcha: true})
	e.waitFor("the account to pause for the captcha", 30*time.Second, func() bool {
		a, err := e.store.HHAccountState(e.ctx, u.ID)
		return err == nil && a.State == store.AccountCaptcha
	})
	e.waitQueuesIdle(60 * time.Second)
	if len(e.ledger(u)[store.StatusQueued]) == 0 {
		t.Fatal("nothing held back: the captcha came too late for the scenario")
	}

	// Pressed before solving: hh still asks, the pause stays, nothing sent.
	sent := len(e.sandboxApplied(hhUser))
	state, err := w.Probe(e.ctx, u.ID)
	if err != nil || state != store.AccountCaptcha {
		t.Fatalf("probe before solving = %q, %v; want captcha", state, err)
	}
	e.waitQueuesIdle(30 * time.Second)
	if a, _ := e.store.HHAccountState(e.ctx, u.ID); a.State != store.AccountCaptcha || !strings.Contains(a.CaptchaURL, "backurl=") {
		t.Errorf("after an early press: state %s, captcha link %q", a.State, a.CaptchaURL)
	}
	if n := len(e.sandboxApplied(hhUser)); n != sent {
		t.Errorf("%d applications sent while the captcha was unsolved", n-sent)
	}

	// Solved: the press lifts the pause and the queue goes out, with no
	// tick and no clock moved.
	e.sandbox.SolveCaptcha(hhUser)
	state, err = w.Probe(e.ctx, u.ID)
	if err != nil || state != store.AccountConnected {
		t.Fatalf("probe after solving = %q, %v; want connected", state, err)
	}
	e.waitSettled([]*store.User{u}, 60*time.Second)
	e.assertLedger(u, want)
	e.assertNoDoubleApply(false)
}

// Another hh person connected: the queued applications made with the old
// person's resume are held with a reason (not failed, not sent from the new
// account), also when hh itself answers resume_not_found; connecting the
// old person again sends them.
func TestSwitchedPersonHoldsQueuedApplications(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150})
	u, resume := e.connect("anna@example.com", 0)
	first := e.sandboxUser(u)
	var rows []*store.Application
	for _, v := range e.sandbox.Vacancies() {
		if v.Type == "direct" || v.HasTest || v.ResponseLetterRequired || v.Archived || len(rows) == 3 {
			continue
		}
		a := &store.Application{UserID: u.ID, ResumeID: resume, VacancyID: v.ID,
			VacancySnapshot: store.VacancySnapshot{VacancyName: v.Name}}
		if _, err := e.store.InsertApplication(e.ctx, a); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, a)
	}
	w := e.startWorker()

	// Switch to the second applicant.
	var applicants []hhsandbox.User
	for _, su := range e.sandbox.Users() {
		if su.Applicant {
			applicants = append(applicants, su)
		}
	}
	second := applicants[1]
	connectAs := func(su hhsandbox.User, extra ...hh.Resume) {
		t.Helper()
		tok, err := e.sandbox.IssueToken(su.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveHHAccount(e.ctx, u.ID, store.HHAccount{HHUserID: su.ID, FirstName: su.FirstName, LastName: su.LastName,
			Token: hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt}}); err != nil {
			t.Fatal(err)
		}
		c, err := hh.NewClient(e.hhCfg)
		if err != nil {
			t.Fatal(err)
		}
		list, err := c.WithToken(tok.AccessToken).MyResumes(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.ReplaceResumes(e.ctx, u.ID, append(list, extra...)); err != nil {
			t.Fatal(err)
		}
	}
	held := func(step string) {
		t.Helper()
		e.waitQueuesIdle(30 * time.Second)
		for _, a := range rows {
			got, err := e.store.Application(e.ctx, u.ID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != store.StatusQueued || got.Reason != string(rules.ReasonResumeGone) {
				t.Errorf("%s: row %s is %s (%s), want queued with resume_gone", step, a.VacancyID, got.Status, got.Reason)
			}
		}
		if n := len(e.sandboxApplied(second.ID)); n != 0 {
			t.Errorf("%s: %d applications sent from the new person's account", step, n)
		}
	}

	connectAs(second)
	if _, err := w.Probe(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	held("the resume is not the new person's")

	// Our cached list still names the old resume (hh's answer is the
	// judge): hh says resume_not_found, and the rows still wait.
	connectAs(second, hh.Resume{ID: resume, Title: "old", Status: hh.IDName{ID: hh.ResumeStatusPublished}})
	if _, err := w.Probe(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	held("hh refused with resume_not_found")
	refused := false
	for _, rf := range e.sandbox.Refusals() {
		refused = refused || rf.Value == "resume_not_found"
	}
	if !refused {
		t.Error("hh was never asked with the old resume")
	}

	// The old person connects again: the rows go out.
	connectAs(applicants[0])
	if _, err := w.Probe(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 30*time.Second)
	if n := len(e.sandboxApplied(first)); n != len(rows) {
		t.Errorf("%d of %d held applications sent after the old person reconnected", n, len(rows))
	}
}

// A rule whose resume the connected person lacks is not run (hh would only
// refuse the search); its schedule moves on, and it runs again once the
// resume is back.
func TestRuleWithAGoneResumeIsNotRun(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, nil)
	due := e.rule(r).NextRunAt
	w := e.newWorker()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.store.ReplaceResumes(e.ctx, u.ID, []hh.Resume{{ID: "someone-elses", Title: "x", Status: hh.IDName{ID: hh.ResumeStatusPublished}}}))
	must(w.Tick(e.ctx))
	if ids := e.taskIDs(tasks.TypeRuleRun); len(ids) != 0 {
		t.Errorf("a rule with a gone resume was enqueued: %v", ids)
	}
	if got := e.rule(r).NextRunAt; !got.After(due) {
		t.Errorf("the schedule did not move on: next_run_at %s, was %s", got, due)
	}
}
