package tasks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/notify"
	"github.com/otklik/otklik/notify/smtptest"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// hhClient is a client with u's token.
func (e *env) hhClient(u *store.User) *hh.Client {
	e.t.Helper()
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := hh.NewClient(e.hhCfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.WithToken(acct.Token.AccessToken)
}

// applyAtHH applies u to n plain vacancies at the sandbox, recording each
// in the ledger as the worker would when ruleID is not 0 (by hand on hh
// when it is -1: no ledger row), and returns the rows.
func (e *env) applyAtHH(u *store.User, resume string, ruleID int64, n int, skip map[string]bool) []store.Application {
	e.t.Helper()
	c := e.hhClient(u)
	var out []store.Application
	for _, v := range e.sandbox.Vacancies() {
		if len(out) == n {
			break
		}
		if skip[v.ID] || v.Type != "open" || v.Archived || v.ResponseLetterRequired || v.HasTest || v.EmployerID == "" {
			continue
		}
		skip[v.ID] = true
		res, err := c.Apply(e.ctx, v.ID, resume, "")
		if err != nil {
			continue
		}
		a := store.Application{UserID: u.ID, ResumeID: resume, VacancyID: v.ID, Status: store.StatusApplied,
			NegotiationID: res.NegotiationID, VacancySnapshot: store.VacancySnapshot{
				VacancyName: v.Name, EmployerName: v.EmployerName, EmployerID: v.EmployerID,
				VacancyURL: e.hhURL + "/vacancy/" + v.ID}}
		if ruleID >= 0 {
			a.RuleID = ruleID
			if _, err := e.store.InsertApplication(e.ctx, &a); err != nil {
				e.t.Fatal(err)
			}
		}
		out = append(out, a)
	}
	if len(out) != n {
		e.t.Fatalf("applied to %d vacancies, want %d", len(out), n)
	}
	return out
}

func (e *env) setNegotiation(id, state string, viewed bool) {
	e.t.Helper()
	if err := e.sandbox.SetNegotiation(id, state, &viewed); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) row(u *store.User, id int64) *store.Application {
	e.t.Helper()
	a, err := e.store.Application(e.ctx, u.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// Employers view, invite and discard at hh; a sync records exactly that on
// the ledger rows, counts the application made on hh by hand apart, and
// mails the invitation once. A sync with nothing new costs one request at
// the sandbox, and a new invitation since is mailed once more, once.
func TestNegotiationsSyncRecordsOutcomes(t *testing.T) {
	mail := smtptest.New(t)
	mailer, err := notify.NewSMTPMailer(mail.URL(), "otklik@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{vacancies: 200})
	u, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "ru", TimeZone: "UTC", SummaryHour: 20, SummaryEmail: "anna@mail.example"})
	r := e.addRule(u, resume, nil)
	seen := map[string]bool{}
	rows := e.applyAtHH(u, resume, r.ID, 4, seen)
	e.applyAtHH(u, resume, -1, 1, seen) // by hand on hh.ru
	e.sandbox.Advance(time.Minute)
	e.setNegotiation(rows[0].NegotiationID, "invitation", true)
	e.setNegotiation(rows[1].NegotiationID, "discard", true)
	e.setNegotiation(rows[2].NegotiationID, "", true)

	w := e.startWorker(func(d *tasks.Deps) { d.Mailer = mailer })
	before := e.traffic.Snapshot()
	res, err := w.SyncNegotiations(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.traffic.Snapshot().Sub(before); got.Negotiations != 1 || got.Total() != 1 || res.HHRequests != 1 {
		t.Errorf("first sync of 5 negotiations cost %s (worker counted %d), want one list request", got, res.HHRequests)
	}
	if res.Matched != 4 || res.Outside != 1 || res.Invited != 1 {
		t.Errorf("first sync: %+v, want 4 matched, 1 outside, 1 invitation", res)
	}
	want := []struct {
		state  string
		viewed bool
		kind   string
	}{{"invitation", true, "invitation"}, {"discard", true, "discard"}, {"response", true, "viewed"}, {"response", false, "none"}}
	for i, wnt := range want {
		a := e.row(u, rows[i].ID)
		if a.State != wnt.state || a.Viewed != wnt.viewed || a.Kind() != wnt.kind || a.Outcome.At.IsZero() || a.NegotiationID != rows[i].NegotiationID {
			t.Errorf("row %d: outcome %+v (negotiation %s), want %s viewed=%v", i, a.Outcome, a.NegotiationID, wnt.state, wnt.viewed)
		}
	}
	ledger, _ := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
	if len(ledger) != 4 {
		t.Errorf("the ledger has %d rows, want the 4 Otklik sent (nothing invented)", len(ledger))
	}
	f, err := e.store.FunnelSince(e.ctx, u.ID, 0, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if f != (store.Funnel{Applied: 4, Viewed: 3, Invitation: 1, Discard: 1, Outside: 1}) {
		t.Errorf("funnel %+v", f)
	}

	msgs := mail.WaitFor(1, 30*time.Second, isInvitation)
	if len(msgs) != 1 {
		t.Fatalf("%d invitation e-mails, want 1", len(msgs))
	}
	m := msgs[0]
	if !strings.Contains(m.Text, rows[0].EmployerName) || !strings.Contains(m.Text, rows[0].VacancyName) ||
		!strings.Contains(m.Text, "topicId="+rows[0].NegotiationID) || m.To[0] != "anna@mail.example" {
		t.Errorf("invitation mail to %v names neither company, vacancy nor negotiation:\n%s", m.To, m.Text)
	}

	// Nothing new at hh: one request, nothing announced again.
	before = e.traffic.Snapshot()
	res, err = w.SyncNegotiations(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.traffic.Snapshot().Sub(before); got.Total() != 1 || got.Negotiations != 1 {
		t.Errorf("a sync with nothing new cost %s, want exactly one request", got)
	}
	if res.Invited != 0 {
		t.Errorf("second sync announced %d invitations again", res.Invited)
	}

	// The fourth employer invites later: the next sync sees it at once.
	e.sandbox.Advance(time.Minute)
	e.setNegotiation(rows[3].NegotiationID, "invitation", true)
	before = e.traffic.Snapshot()
	for range 2 {
		if _, err := w.SyncNegotiations(e.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.traffic.Snapshot().Sub(before); got.Total() != 2 {
		t.Errorf("two syncs after one change cost %s, want one request each", got)
	}
	if a := e.row(u, rows[3].ID); a.State != "invitation" {
		t.Errorf("row 3 is %q after the employer invited", a.State)
	}
	// The tick's look for unannounced invitations finds nothing to add.
	if err := w.Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := mail.WaitFor(3, 3*time.Second, isInvitation); len(msgs) != 2 {
		t.Errorf("%d invitation e-mails after two invitations, want 2", len(msgs))
	}

	// The daily summary names the new invitations and the rejection.
	sum, err := tasks.BuildSummary(e.ctx, e.store, u.ID, time.Now().Format(time.DateOnly), time.Now().Add(-24*time.Hour), "http://otklik.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Invitations) != 2 || len(sum.Rejections) != 1 || sum.Rejections[0].VacancyID != rows[1].VacancyID ||
		!strings.Contains(sum.Rejections[0].URL, "topicId="+rows[1].NegotiationID) {
		t.Errorf("summary invitations %+v, rejections %+v", sum.Invitations, sum.Rejections)
	}
	rendered, err := notify.Render(sum)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rendered.Text, "Новые приглашения (2)") || !strings.Contains(rendered.Text, "Новые отказы (1)") {
		t.Errorf("summary text lacks the outcomes:\n%s", rendered.Text)
	}
}

// A rule with skip_discarded_employers skips every vacancy of an employer
// who discarded the person, with the reason employer_discarded; a rule
// without it does not.
func TestRuleSkipsEmployersWhoDiscarded(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 300})
	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, nil)
	if !r.SkipDiscardedEmployers {
		t.Fatal("a new rule does not skip discarded employers by default")
	}
	off := e.addRule(u, resume, func(r *rules.Rule) { r.SkipDiscardedEmployers = false })

	// An employer with two open vacancies: the person applied to one.
	byEmployer := map[string][]string{}
	for _, v := range e.sandbox.Vacancies() {
		if v.Type == "open" && !v.Archived && !v.HasTest && !v.ResponseLetterRequired && v.EmployerID != "" {
			byEmployer[v.EmployerID] = append(byEmployer[v.EmployerID], v.ID)
		}
	}
	var first, second string
	for _, ids := range byEmployer {
		if len(ids) >= 2 {
			first, second = ids[0], ids[1]
			break
		}
	}
	if second == "" {
		t.Fatal("no employer with two plain vacancies")
	}
	others := map[string]bool{}
	for _, v := range e.sandbox.Vacancies() {
		if v.ID != first {
			others[v.ID] = true
		}
	}
	rows := e.applyAtHH(u, resume, r.ID, 1, others)
	e.setNegotiation(rows[0].NegotiationID, "discard", true)
	w := e.newWorker()
	if _, err := w.SyncNegotiations(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}

	c := e.hhClient(u)
	v, err := c.Vacancy(e.ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := e.store.HHAccount(e.ctx, u.ID)
	for _, tc := range []struct {
		rule *rules.Rule
		want rules.Reason
	}{{r, rules.ReasonEmployerDiscarded}, {off, ""}} {
		rule, err := e.store.Rule(e.ctx, u.ID, tc.rule.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := plan.New(e.ctx, e.store, plan.NewTests(e.store), rule, acct, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f, err := p.Plan(e.ctx, v, false, c)
		if err != nil {
			t.Fatal(err)
		}
		if f.Reason != tc.want || (tc.want != "" && f.Status != store.StatusSkipped) {
			t.Errorf("rule skip_discarded=%v: %s %q, want reason %q", rule.SkipDiscardedEmployers, f.Status, f.Reason, tc.want)
		}
	}
	if rules.ReasonEmployerDiscarded.Text("ru") == string(rules.ReasonEmployerDiscarded) ||
		rules.ReasonEmployerDiscarded.Text("en") == string(rules.ReasonEmployerDiscarded) {
		t.Error("employer_discarded has no words")
	}
}

// The tick enqueues one sync per account per OUTCOMES_EVERY period, only
// within the person's active hours (their enabled rules' windows, in their
// time zone), with ids that make a replayed tick enqueue nothing twice.
func TestTickSyncsNegotiationsWithinActiveHours(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, resume := e.connect("anna@example.com", 0)
	setSettings(t, e, u, store.Settings{Language: "ru", TimeZone: "Europe/Moscow", SummaryHour: 23})
	e.addRule(u, resume, func(r *rules.Rule) { r.ActiveFrom, r.ActiveTo = "09:00", "18:00"; r.Enabled = true })
	msk, _ := time.LoadLocation("Europe/Moscow")

	night := time.Date(2026, 12, 4, 3, 0, 0, 0, msk)
	if err := e.newWorker(fixedClock(night)).Tick(e.ctx); err != nil {
		t.Fatal(err)
	}
	if ids := e.taskIDs(tasks.TypeNegotiationsSync); len(ids) != 0 {
		t.Errorf("at 03:00 outside the rule's hours the tick enqueued %v", ids)
	}
	morning := time.Date(2026, 12, 4, 10, 0, 0, 0, msk)
	for range 2 {
		if err := e.newWorker(fixedClock(morning), func(d *tasks.Deps) { d.OutcomesEvery = time.Hour }).Tick(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	slot := morning.Unix() / 3600
	assertIDs(t, "negotiations sync", e.taskIDs(tasks.TypeNegotiationsSync), fmt.Sprintf("negotiations:sync:%d:%d", u.ID, slot))
}

// A token hh no longer accepts pauses syncing as it pauses runs: the account
// asks to be connected again, and the next sync sends hh nothing.
func TestSyncPausesOnRevokedToken(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 50})
	u, _ := e.connect("anna@example.com", 0)
	e.sandbox.RevokeTokens(e.sandboxUser(u))
	w := e.newWorker()
	if _, err := w.SyncNegotiations(e.ctx, u.ID); err == nil {
		t.Error("a sync with a revoked token succeeded")
	}
	acct, err := e.store.HHAccountState(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.State != store.AccountReconnect {
		t.Errorf("account state %q after hh refused the token, want reconnect", acct.State)
	}
	before := e.traffic.Snapshot()
	if _, err := w.SyncNegotiations(e.ctx, u.ID); err != nil {
		t.Errorf("a sync of a paused account failed: %v", err)
	}
	if got := e.traffic.Snapshot().Sub(before); got.Total() != 0 {
		t.Errorf("a sync of a paused account cost %s", got)
	}
}

// isInvitation tells an invitation e-mail from the daily summary, which a
// tick at or after the person's summary hour (20:00 by default) sends
// through the same server: from 20:00 to midnight these tests counted it.
func isInvitation(m smtptest.Message) bool {
	for _, lang := range locale.Languages() {
		prefix, _, _ := strings.Cut(locale.Text(lang, "mail.invitation_subject", "", ""), "—")
		if strings.HasPrefix(m.Subject, prefix) {
			return true
		}
	}
	return false
}
