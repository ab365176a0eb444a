package plan_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
)

type fixture struct {
	ctx     context.Context
	st      *store.Store
	sandbox *hhsandbox.Sandbox
	client  *hh.Client
	gets    *atomic.Int64 // GET /vacancies/{id} requests that reached the sandbox
	tests   *plan.Tests
	user    *store.User
	acct    *store.HHAccount
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{ctx: ctx, gets: &atomic.Int64{}}
	f.sandbox = hhsandbox.New(hhsandbox.Options{Seed: 7, Vacancies: 20})
	srv := httptest.NewServer(f.sandbox)
	t.Cleanup(srv.Close)

	var err error
	f.st, err = store.Open(ctx, storetest.DSN(t), store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.tests = plan.NewTests(f.st)
	if f.user, err = f.st.CreateUser(ctx, "anna@example.com", "x"); err != nil {
		t.Fatal(err)
	}
	f.acct = &store.HHAccount{FirstName: "Анна", LastName: "Иванова"}

	var hhUser string
	for _, u := range f.sandbox.Users() {
		if u.Applicant {
			hhUser = u.ID
			break
		}
	}
	tok, err := f.sandbox.IssueToken(hhUser)
	if err != nil {
		t.Fatal(err)
	}
	c, err := hh.NewClient(hh.Config{APIURL: srv.URL, OAuthURL: srv.URL, UserAgent: "OtklikTest/1.0 (tests@otklik.example)",
		Observe: func(ri hh.RequestInfo) {
			if ri.Op == hh.OpVacancy {
				f.gets.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	f.client = c.WithToken(tok.AccessToken)
	return f
}

func (f *fixture) rule(t *testing.T, mod func(*rules.Rule)) *store.Rule {
	t.Helper()
	r := &rules.Rule{UserID: f.user.ID, Name: "Go", ResumeID: "resume-1", Mode: rules.ModeLetters,
		DailyLimit: 10, EveryHours: 4, Enabled: true}
	if mod != nil {
		mod(r)
	}
	if err := f.st.CreateRule(f.ctx, r); err != nil {
		t.Fatal(err)
	}
	sr, err := f.st.Rule(f.ctx, f.user.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

func (f *fixture) planner(t *testing.T, r *store.Rule) *plan.Planner {
	t.Helper()
	p, err := plan.New(f.ctx, f.st, f.tests, r, f.acct, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// vacancy puts a vacancy into the sandbox and returns it as a search result
// shows it: has_test without the test's details.
func (f *fixture) vacancy(t *testing.T, v hhsandbox.Vacancy) *hh.Vacancy {
	t.Helper()
	sv, err := f.sandbox.PutVacancy(v)
	if err != nil {
		t.Fatal(err)
	}
	out := &hh.Vacancy{ID: sv.ID, Name: sv.Name, HasTest: sv.HasTest, ResponseLetterRequired: sv.ResponseLetterRequired,
		AlternateURL: "https://hh.ru/vacancy/" + sv.ID}
	out.Employer.ID, out.Employer.Name = sv.EmployerID, sv.EmployerName
	out.Type.ID = sv.Type
	return out
}

func TestTestsAreLookedUpOnceForTheInstance(t *testing.T) {
	f := newFixture(t)
	optional := f.vacancy(t, hhsandbox.Vacancy{HasTest: true})
	required := f.vacancy(t, hhsandbox.Vacancy{HasTest: true, TestRequired: true})
	withLetter := f.vacancy(t, hhsandbox.Vacancy{HasTest: true, ResponseLetterRequired: true})
	r := f.rule(t, nil)

	for i, tc := range []struct {
		v      *hh.Vacancy
		status store.ApplicationStatus
		reason rules.Reason
	}{
		{optional, store.StatusQueued, ""},
		{required, store.StatusReview, rules.ReasonTestRequired},
		// Held for its letter anyway: the test is not worth a request.
		{withLetter, store.StatusReview, rules.ReasonTestRequired},
	} {
		fate, err := f.planner(t, r).Plan(f.ctx, tc.v, false, f.client)
		if err != nil {
			t.Fatal(err)
		}
		if fate.Status != tc.status || fate.Reason != tc.reason {
			t.Errorf("case %d: %s/%s, want %s/%s", i, fate.Status, fate.Reason, tc.status, tc.reason)
		}
	}
	if n := f.gets.Load(); n != 2 {
		t.Errorf("%d vacancy lookups, want 2 (the optional and the required test)", n)
	}
	// Another rule (any user's) plans the same vacancies from what is kept.
	other := f.rule(t, func(r *rules.Rule) { r.Name = "Other" })
	for _, v := range []*hh.Vacancy{optional, required} {
		if _, err := f.planner(t, other).Plan(f.ctx, v, false, f.client); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.gets.Load(); n != 2 {
		t.Errorf("%d vacancy lookups after a second plan, want still 2", n)
	}
}

func TestLettersAndTheDailyCap(t *testing.T) {
	f := newFixture(t)
	long := f.vacancy(t, hhsandbox.Vacancy{Name: "Go " + strings.Repeat("разработчик ", 40)})
	plain := f.vacancy(t, hhsandbox.Vacancy{Name: "Go"})
	gone := &hh.Vacancy{ID: "999999999", Name: "Gone", HasTest: true}
	r := f.rule(t, func(r *rules.Rule) {
		r.DailyLimit = 2
		// Short for the plain vacancy, past hh's limit for the long name.
		r.LetterTemplate = "Здравствуйте! " + strings.Repeat("{vacancy}. ", 25)
	})
	p := f.planner(t, r)

	fate, err := p.Plan(f.ctx, long, false, f.client)
	if err != nil {
		t.Fatal(err)
	}
	if fate.Status != store.StatusReview || fate.Reason != rules.ReasonLetterTooLong || fate.Letter == "" {
		t.Errorf("a letter over hh's limit: %s/%s, want review/letter_too_long with the draft", fate.Status, fate.Reason)
	}
	// A vacancy hh no longer has is skipped when its test is looked up.
	if fate, err = p.Plan(f.ctx, gone, false, f.client); err != nil || fate.Status != store.StatusSkipped || fate.Reason != rules.ReasonVacancyGone {
		t.Errorf("a vacancy gone from hh: %+v, %v", fate, err)
	}
	if fate, err = p.Plan(f.ctx, plain, true, f.client); err != nil || fate.Reason != rules.ReasonAlreadyDecided {
		t.Errorf("a vacancy in the ledger: %+v, %v", fate, err)
	}
	if fate, err = p.Plan(f.ctx, plain, false, f.client); err != nil || fate.Later {
		t.Fatalf("the cap's second place: %+v, %v", fate, err)
	}
	if p.CapLeft() != 0 {
		t.Errorf("cap left %d after two vacancies taken on, want 0", p.CapLeft())
	}
	if fate, err = p.Plan(f.ctx, plain, false, f.client); err != nil || !fate.Later {
		t.Errorf("past the daily cap: %+v, %v; want later", fate, err)
	}
	// A row another run wrote first gives its place back.
	p.Unplan(plan.Fate{Status: store.StatusQueued})
	if p.CapLeft() != 1 {
		t.Errorf("cap left %d after a place was given back, want 1", p.CapLeft())
	}
}
