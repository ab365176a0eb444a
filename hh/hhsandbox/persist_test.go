package hhsandbox_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// openEnv is newEnv over a sandbox whose state lives in the file at path.
func openEnv(t *testing.T, opts hhsandbox.Options, path string) *env {
	t.Helper()
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	opts.Seed, opts.Vacancies, opts.RedirectURI, opts.BaseURL = 7, 600, testRedirect, srv.URL
	opts.Clock = func() time.Time { return fixedNow }
	sb, err := hhsandbox.Open(opts, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	srv.Config.Handler = sb
	return &env{t: t, sb: sb, srv: srv}
}

// negotiationVacancies lists the vacancy ids of GET /negotiations.
func (e *env) negotiationVacancies(token string) []string {
	e.t.Helper()
	r := e.get("/negotiations", token)
	if r.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /negotiations: %d %s", r.StatusCode, r.body)
	}
	var list struct {
		Items []struct{ Vacancy struct{ ID string } }
	}
	r.json(e.t, &list)
	var ids []string
	for _, it := range list.Items {
		ids = append(ids, it.Vacancy.ID)
	}
	return ids
}

// A sandbox opened from its state file after a restart takes the tokens it
// issued before and still knows the applications, hidden vacancies, faults,
// its clock and the vacancies published meanwhile; tokens it issues
// afterwards are new ones.
func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	first := openEnv(t, hhsandbox.Options{}, path)
	pair := first.exchange(first.authorizeCode(ivan), testRedirect)
	access := pair.AccessToken
	applied := first.vacancy(plain)
	if r := first.apply(access, applied.ID, first.resume(ivan, 0), "Здравствуйте!"); r.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.StatusCode, r.body)
	}
	hidden := first.vacancy(func(v hhsandbox.Vacancy) bool { return plain(v) && v.ID != applied.ID })
	if r := first.request("PUT", "/vacancies/blacklisted/"+hidden.ID, access, nil, ""); r.StatusCode != http.StatusNoContent {
		t.Fatalf("hide: %d %s", r.StatusCode, r.body)
	}
	first.admin("POST", "clock", `{"advance":"3h"}`)
	first.admin("POST", "publish", `{"count":2}`)
	first.admin("POST", "faults", `{"daily_limit":7}`)
	if err := first.sb.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v; want 0600, it holds tokens", err, fi)
	}

	second := openEnv(t, hhsandbox.Options{}, path)
	if r := second.get("/me", access); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /me with the token issued before the restart: %d %s", r.StatusCode, r.body)
	}
	if got := second.negotiationVacancies(access); !reflect.DeepEqual(got, []string{applied.ID}) {
		t.Errorf("negotiations after the restart: %v, want [%s]", got, applied.ID)
	}
	if r := second.apply(access, applied.ID, second.resume(ivan, 0), ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("applying again after the restart: %d %s, want 403 already_applied", r.StatusCode, r.body)
	}
	var blacklist struct{ Items []struct{ ID string } }
	second.get("/vacancies/blacklisted", access).json(t, &blacklist)
	if len(blacklist.Items) != 1 || blacklist.Items[0].ID != hidden.ID {
		t.Errorf("hidden vacancies after the restart: %+v, want [%s]", blacklist.Items, hidden.ID)
	}
	if got, want := second.sb.Now(), fixedNow.Add(3*time.Hour); !got.Equal(want) {
		t.Errorf("clock after the restart: %s, want %s", got, want)
	}
	if got := second.sb.Faults().DailyLimit; got != 7 {
		t.Errorf("daily limit after the restart: %d, want 7", got)
	}
	if a := second.sb.Applications(); len(a) != 1 || a[0].Message != "Здравствуйте!" {
		t.Errorf("recorded applications after the restart: %+v", a)
	}
	before, after := first.sb.Vacancies(), second.sb.Vacancies()
	if len(after) != len(before) || len(after) != 602 {
		t.Fatalf("catalogue: %d vacancies after the restart, %d before", len(after), len(before))
	}
	for i := range before {
		b, _ := json.Marshal(before[i])
		a, _ := json.Marshal(after[i])
		if string(a) != string(b) {
			t.Fatalf("vacancy %d differs after the restart:\n%s\n%s", i, a, b)
		}
	}

	// A new connection gets a pair of its own, and the old refresh token
	// still refreshes once the old access token has expired.
	if again := second.exchange(second.authorizeCode(anna), testRedirect); again.AccessToken == access {
		t.Error("a token issued after the restart repeats one issued before")
	}
	second.sb.ExpireTokens(ivan)
	if r := second.refreshGrant(pair.RefreshToken); r.StatusCode != http.StatusOK {
		t.Errorf("refresh after the restart: %d %s", r.StatusCode, r.body)
	}
}

// The state is written shortly after a change, not only by Close: a host
// that is killed keeps what it had a moment before.
func TestStateIsSavedWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := openEnv(t, hhsandbox.Options{}, path)
	token := e.token(ivan)
	v := e.vacancy(plain)
	if r := e.apply(token, v.ID, e.resume(ivan, 0), ""); r.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %d %s", r.StatusCode, r.body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		// A copy, as a new process would find the file after a kill.
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".copy", data, 0o600); err != nil {
			t.Fatal(err)
		}
		sb, err := hhsandbox.Open(hhsandbox.Options{Seed: 7, Vacancies: 600}, path+".copy")
		if err != nil {
			t.Fatal(err)
		}
		n := len(sb.Applications())
		sb.Close()
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the application never reached the state file")
		}
	}
}

// A state file the sandbox cannot use stops Open with an error naming the
// file, rather than throwing away what it holds.
func TestStateFileMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sandbox.json")
	sb, err := hhsandbox.Open(hhsandbox.Options{Seed: 7, Vacancies: 600}, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := hhsandbox.Open(hhsandbox.Options{Seed: 8, Vacancies: 600}, path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("another seed: %v", err)
	}
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"format":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := hhsandbox.Open(hhsandbox.Options{Seed: 7, Vacancies: 600}, broken); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("a broken file: %v", err)
	}
}
