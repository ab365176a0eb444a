package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// testClock is a worker clock the test moves forward: real time plus an
// offset, so Redis leases and pacing keep working while the worker believes
// minutes or hours have passed.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time            { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration)   { c.offset.Add(int64(d)) }
func (c *testClock) deps() func(d *tasks.Deps) { return func(d *tasks.Deps) { d.Now = c.Now } }

// fixedClock makes a worker see t as now.
func fixedClock(t time.Time) func(d *tasks.Deps) {
	return func(d *tasks.Deps) { d.Now = func() time.Time { return t } }
}

// opCounter counts the workers' hh attempts by operation and outcome.
type opCounter struct {
	mu   sync.Mutex
	ok   map[string]int
	fail map[string][]string
}

// countOps chains a counter into the env's hh Observe hook; call it before
// any worker is built.
func (e *env) countOps() *opCounter {
	c := &opCounter{ok: map[string]int{}, fail: map[string][]string{}}
	prev := e.hhCfg.Observe
	e.hhCfg.Observe = func(ri hh.RequestInfo) {
		c.mu.Lock()
		if ri.Err == nil && ri.Status < 400 {
			c.ok[ri.Op]++
		} else {
			msg := fmt.Sprintf("%d", ri.Status)
			if ri.Err != nil {
				msg = ri.Err.Error()
			}
			c.fail[ri.Op] = append(c.fail[ri.Op], msg)
		}
		c.mu.Unlock()
		if prev != nil {
			prev(ri)
		}
	}
	return c
}

func (c *opCounter) succeeded(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok[op]
}

func (c *opCounter) failed(op string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.fail[op]...)
}

// waitFor polls cond until it holds or timeout passes.
func (e *env) waitFor(what string, timeout time.Duration, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inspector reads the queues.
func (e *env) inspector() *asynq.Inspector {
	i := asynq.NewInspector(e.conn)
	e.t.Cleanup(func() { i.Close() })
	return i
}

// taskIDs lists the IDs of every task of type typ the queues hold, in any
// state, with a count per ID.
func (e *env) taskIDs(typ string) map[string]int {
	e.t.Helper()
	in := e.inspector()
	out := map[string]int{}
	for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault, tasks.QueueLow} {
		lists := []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
			in.ListPendingTasks, in.ListActiveTasks, in.ListScheduledTasks,
			in.ListRetryTasks, in.ListArchivedTasks, in.ListCompletedTasks,
		}
		for _, list := range lists {
			infos, err := list(q, asynq.PageSize(10000))
			if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
				e.t.Fatalf("inspect queue %s: %v", q, err)
			}
			for _, ti := range infos {
				if ti.Type == typ {
					out[ti.ID]++
				}
			}
		}
	}
	return out
}

// liveTask says whether queue holds a task whose ID starts with prefix that
// is still to run or running (pending, active, scheduled or waiting to retry).
func (e *env) liveTask(in *asynq.Inspector, queue, prefix string) bool {
	e.t.Helper()
	for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		in.ListPendingTasks, in.ListActiveTasks, in.ListScheduledTasks, in.ListRetryTasks,
	} {
		infos, err := list(queue, asynq.PageSize(10000))
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			e.t.Fatalf("inspect queue %s: %v", queue, err)
		}
		for _, ti := range infos {
			if strings.HasPrefix(ti.ID, prefix) {
				return true
			}
		}
	}
	return false
}

// assertNoDoubleApply checks the sandbox holds at most one application per
// resume and vacancy, and that no POST was refused as already applied (which
// would mean we sent a second one).
func (e *env) assertNoDoubleApply(allowAlreadyApplied bool) {
	e.t.Helper()
	seen := map[string]bool{}
	for _, a := range e.sandbox.Applications() {
		key := a.ResumeID + "/" + a.VacancyID
		if seen[key] {
			e.t.Errorf("vacancy %s applied twice at the sandbox with resume %s", a.VacancyID, a.ResumeID)
		}
		seen[key] = true
	}
	if allowAlreadyApplied {
		return
	}
	for _, r := range e.sandbox.Refusals() {
		if r.Value == "already_applied" {
			e.t.Errorf("a second POST for vacancy %s (resume %s) was refused as already applied", r.VacancyID, r.ResumeID)
		}
	}
}

// assertNothingLost checks every row of u's ledger reached an end state, and
// that every vacancy the sandbox holds an application to is applied in the
// ledger.
func (e *env) assertNothingLost(u *store.User) {
	e.t.Helper()
	l := e.ledger(u)
	if n := len(l[store.StatusQueued]); n > 0 {
		e.t.Errorf("%d rows still queued: %s", n, describe(l))
	}
	if n := len(l[store.StatusFailed]); n > 0 {
		for _, a := range l[store.StatusFailed] {
			e.t.Errorf("row %s failed: %s %s", a.VacancyID, a.Reason, a.Message)
		}
	}
	e.assertLedgerMatchesSandbox(u)
}

// processor runs task handlers of one Worker synchronously, without a queue
// server: the test decides when a task runs.
func processor(w *tasks.Worker) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	w.Register(mux)
	return mux
}

// expected is what a rule should make of one vacancy.
type expected struct {
	status store.ApplicationStatus
	reason string
	letter string // the rendered letter sent (applied) or drafted (review)
	name   string
	// testDecides: the vacancy has a test and would be applied to without
	// it, so whether the test is required decides (one GET /vacancies/{id}).
	testDecides bool
}

// expect pages through the rule's search as the person (with a token of its
// own) and decides every vacancy with the rules package: the ledger the
// worker should end with. Call it before the worker applies (applying
// changes what hh shows).
func (e *env) expect(u *store.User, r *rules.Rule) map[string]expected {
	e.t.Helper()
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.sandbox.IssueToken(acct.HHUserID)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := e.hhCfg
	cfg.Observe = nil
	c, err := hh.NewClient(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	c = c.WithToken(tok.AccessToken)
	resumeTitle := ""
	resumes, err := e.store.Resumes(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, rs := range resumes {
		if rs.ID == r.ResumeID {
			resumeTitle = rs.Title
		}
	}
	var tmpl *rules.Template
	if r.HasTemplate() {
		if tmpl, err = rules.ParseTemplate(r.LetterTemplate); err != nil {
			e.t.Fatal(err)
		}
	}
	out := map[string]expected{}
	applies := 0
	// The rule's daily cap bounds what it applies to and holds for review;
	// vacancies past it stay undecided.
	budget := r.DailyLimit
	if budget <= 0 {
		budget = tasks.DailyLimit
	}
	for page := 0; (page+1)*hh.MaxPerPage <= hh.MaxSearchDepth; page++ {
		res, err := c.SimilarVacancies(e.ctx, r.ResumeID, r.SearchParams(page))
		if err != nil {
			e.t.Fatal(err)
		}
		for i := range res.Items {
			v := &res.Items[i]
			d := rules.Decide(v, r, rules.DecideInput{})
			testDecides := false
			if sv, ok := e.sandbox.Vacancy(v.ID); ok && v.HasTest {
				// Whether the test is required (the catalogue's truth, which
				// the worker reads from the full vacancy) decides only for a
				// vacancy the rule would apply to without it; one held for
				// review anyway keeps naming its test.
				noTest := *v
				noTest.HasTest = false
				if rules.Decide(&noTest, r, rules.DecideInput{}).Action == rules.ActionApply {
					testDecides = true
					if !sv.TestRequired {
						d = rules.Decision{Action: rules.ActionApply}
					}
				}
			}
			if d.Action != rules.ActionSkip {
				if budget <= 0 {
					continue
				}
				budget--
			}
			x := expected{name: v.Name, reason: string(d.Reason), testDecides: testDecides}
			switch d.Action {
			case rules.ActionSkip:
				x.status = store.StatusSkipped
			case rules.ActionReview:
				x.status = store.StatusReview
			case rules.ActionApply:
				x.status = store.StatusApplied
				applies++
			}
			if tmpl != nil && x.status != store.StatusSkipped {
				if x.letter, err = tmpl.Render(rules.LetterDataFor(v, acct.FirstName, acct.LastName, resumeTitle)); err != nil {
					e.t.Fatal(err)
				}
			}
			out[v.ID] = x
		}
		if res.Pages <= page+1 {
			break
		}
	}
	if applies >= tasks.DailyLimit {
		e.t.Fatalf("the rule would apply to %d vacancies, over hh's daily limit: the expectation would not hold", applies)
	}
	return out
}

// assertLedger compares u's ledger with what the rule should have made of
// each vacancy, and the sandbox's applications (with their letters) with
// the applied rows.
func (e *env) assertLedger(u *store.User, want map[string]expected) {
	e.t.Helper()
	rows, err := e.store.ListApplications(e.ctx, u.ID, store.ApplicationFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	got := map[string]store.Application{}
	for _, a := range rows {
		if _, dup := got[a.VacancyID]; dup {
			e.t.Errorf("vacancy %s has two ledger rows", a.VacancyID)
		}
		got[a.VacancyID] = a
	}
	var diffs []string
	for id, x := range want {
		a, ok := got[id]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %q: missing, want %s", id, x.name, x.status))
		case a.Status != x.status || a.Reason != x.reason:
			diffs = append(diffs, fmt.Sprintf("%s %q: got %s/%s, want %s/%s", id, x.name, a.Status, a.Reason, x.status, x.reason))
		case x.status == store.StatusReview && x.letter != "" && a.Letter != x.letter:
			diffs = append(diffs, fmt.Sprintf("%s %q: review draft %q, want %q", id, x.name, a.Letter, x.letter))
		}
	}
	for id, a := range got {
		if _, ok := want[id]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %q: unexpected row %s/%s", id, a.VacancyName, a.Status, a.Reason))
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		e.t.Error(d)
	}

	hhUser := e.sandboxUser(u)
	sent := map[string]string{}
	for _, a := range e.sandbox.Applications() {
		if a.UserID == hhUser {
			sent[a.VacancyID] = a.Message
		}
	}
	for id, x := range want {
		msg, ok := sent[id]
		switch {
		case x.status == store.StatusApplied && !ok:
			e.t.Errorf("%s %q: not applied at the sandbox", id, x.name)
		case x.status != store.StatusApplied && ok:
			e.t.Errorf("%s %q: applied at the sandbox, want %s", id, x.name, x.status)
		case ok && msg != x.letter:
			e.t.Errorf("%s %q: sent letter %q, want %q", id, x.name, msg, x.letter)
		}
	}
	for id := range sent {
		if _, ok := want[id]; !ok {
			e.t.Errorf("%s: applied at the sandbox, not found by the rule", id)
		}
	}
}

// assertLettersSent checks that no vacancy asking for a letter got an
// application without one, and that hh never had to refuse an empty one.
func (e *env) assertLettersSent() {
	e.t.Helper()
	for _, a := range e.sandbox.Applications() {
		v, ok := e.sandbox.Vacancy(a.VacancyID)
		if ok && v.ResponseLetterRequired && strings.TrimSpace(a.Message) == "" {
			e.t.Errorf("vacancy %s asked for a letter and was applied to without one", a.VacancyID)
		}
	}
	for _, r := range e.sandbox.Refusals() {
		if r.Value == "empty_message" {
			e.t.Errorf("vacancy %s was POSTed without the letter it asked for", r.VacancyID)
		}
	}
}

func countStatus(want map[string]expected, st store.ApplicationStatus) int {
	n := 0
	for _, x := range want {
		if x.status == st {
			n++
		}
	}
	return n
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
