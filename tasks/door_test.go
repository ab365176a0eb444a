package tasks_test

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// door stands between one worker and the hh sandbox: a test holds chosen
// requests there (the request has not reached hh yet, as when it waits on
// the shared budget or a slow network) and lets them through when the
// scenario calls for it.
type door struct {
	mu   sync.Mutex
	hold func(*http.Request) bool // which requests to hold; nil: none
	// held receives each held request as it arrives; open lets one through.
	held chan *http.Request
	open chan struct{}
	// sent records when each request passed the door towards hh.
	sent []doorPass
}

type doorPass struct {
	method, path string
	at           time.Time
}

func newDoor() *door {
	return &door{held: make(chan *http.Request, 16), open: make(chan struct{}, 16)}
}

// holdFirst holds the first request matching match, and no other.
func (d *door) holdFirst(match func(*http.Request) bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	done := false
	d.hold = func(r *http.Request) bool {
		if done || !match(r) {
			return false
		}
		done = true
		return true
	}
}

func (d *door) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	hold := d.hold != nil && d.hold(r)
	d.mu.Unlock()
	if hold {
		d.held <- r
		<-d.open
	}
	d.mu.Lock()
	d.sent = append(d.sent, doorPass{method: r.Method, path: r.URL.Path, at: time.Now()})
	d.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// passes lists when requests matching match passed the door.
func (d *door) passes(match func(method, path string) bool) []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []time.Time
	for _, p := range d.sent {
		if match(p.method, p.path) {
			out = append(out, p.at)
		}
	}
	return out
}

// deps puts the door in front of a worker's hh client.
func (d *door) deps() func(*tasks.Deps) {
	return func(dp *tasks.Deps) { dp.HH.HTTPClient = &http.Client{Transport: d} }
}

func isRefresh(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token")
}

func isApply(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/negotiations")
}

func isApplyPath(method, path string) bool {
	return method == http.MethodPost && strings.HasSuffix(path, "/negotiations")
}

// expireToken makes u's access token expired at hh and by our clock, so the
// next use refreshes it.
func (e *env) expireToken(u *store.User) *store.HHAccount {
	e.t.Helper()
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sandbox.ExpireTokens(acct.HHUserID)
	acct.Token.ExpiresAt = time.Now().Add(-time.Minute)
	if err := e.store.SaveHHAccount(e.ctx, u.ID, *acct); err != nil {
		e.t.Fatal(err)
	}
	if acct, err = e.store.HHAccount(e.ctx, u.ID); err != nil {
		e.t.Fatal(err)
	}
	return acct
}

// plainVacancies returns n sandbox vacancies that a POST applies to at once:
// on hh, open, no letter or test asked for.
func (e *env) plainVacancies(n int) []hhsandbox.Vacancy {
	e.t.Helper()
	var out []hhsandbox.Vacancy
	now := e.sandbox.Now()
	for _, v := range e.sandbox.Vacancies() {
		if v.Type == "direct" || v.Archived || v.HasTest || v.ResponseLetterRequired || v.PublishedAt.After(now) {
			continue
		}
		if out = append(out, v); len(out) == n {
			return out
		}
	}
	e.t.Fatalf("the sandbox has fewer than %d plain vacancies", n)
	return nil
}

// queueRow writes a queued ledger row for v, as a rule run would.
func (e *env) queueRow(u *store.User, resumeID string, v hhsandbox.Vacancy) *store.Application {
	e.t.Helper()
	a := &store.Application{UserID: u.ID, ResumeID: resumeID, VacancyID: v.ID, Status: store.StatusQueued,
		VacancySnapshot: store.VacancySnapshot{VacancyName: v.Name, EmployerName: v.EmployerName}}
	if _, err := e.store.InsertApplication(e.ctx, a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// reconnect connects u's hh account again with a fresh token pair, as the
// person does on /hh/connect.
func (e *env) reconnect(u *store.User) {
	e.t.Helper()
	acct, err := e.store.HHAccount(e.ctx, u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.sandbox.IssueToken(acct.HHUserID)
	if err != nil {
		e.t.Fatal(err)
	}
	acct.Token = hh.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: "bearer", ExpiresAt: tok.ExpiresAt}
	if err := e.store.SaveHHAccount(e.ctx, u.ID, *acct); err != nil {
		e.t.Fatal(err)
	}
}
