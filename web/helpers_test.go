package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/store/storetest"
)

// fakeJobs records what the web asked the worker to do.
type fakeJobs struct {
	mu    sync.Mutex
	runs  [][2]int64
	sends [][2]int64
	syncs int
	sync  func(ctx context.Context, userID int64) error
}

// StartRule records the press; every press after the first for a rule
// joins, as a run still in flight would.
func (j *fakeJobs) StartRule(_ context.Context, userID, ruleID int64) (joined bool, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, run := range j.runs {
		joined = joined || run == [2]int64{userID, ruleID}
	}
	j.runs = append(j.runs, [2]int64{userID, ruleID})
	return joined, nil
}

func (j *fakeJobs) SendApplication(_ context.Context, userID, applicationID int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sends = append(j.sends, [2]int64{userID, applicationID})
	return nil
}

// SyncOutcomes records the press and runs sync, when a test set one (a
// real worker's sync over the sandbox).
func (j *fakeJobs) SyncOutcomes(ctx context.Context, userID int64) error {
	j.mu.Lock()
	j.syncs++
	sync := j.sync
	j.mu.Unlock()
	if sync != nil {
		return sync(ctx, userID)
	}
	return nil
}

func (j *fakeJobs) counts() (runs, sends int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.runs), len(j.sends)
}

// storeHHAccess hands out clients bound to the stored token, without refresh.
type storeHHAccess struct {
	st    *store.Store
	oauth *hh.Client
}

func (a storeHHAccess) Client(ctx context.Context, userID int64) (*hh.Client, error) {
	c, _, err := a.Account(ctx, userID)
	return c, err
}

func (a storeHHAccess) Account(ctx context.Context, userID int64) (*hh.Client, *store.HHAccount, error) {
	acct, err := a.st.HHAccount(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	return a.oauth.WithToken(acct.Token.AccessToken), acct, nil
}

// Probe changes nothing here: the web tests that press «Я решил капчу»
// run the real worker (see newJourneyEnv).
func (a storeHHAccess) Probe(ctx context.Context, userID int64) (store.AccountState, error) {
	acct, err := a.st.HHAccountState(ctx, userID)
	if err != nil {
		return "", nil
	}
	return acct.State, nil
}

// testEnv is the web app over real HTTP against a temp SQLite store and the
// hh sandbox.
type testEnv struct {
	t       *testing.T
	store   *store.Store
	sandbox *hhsandbox.Sandbox
	hhURL   string
	oauth   *hh.Client
	server  *httptest.Server
	jobs    *fakeJobs
	cfg     config.Config
	redis   *miniredis.Miniredis
	deps    Deps
}

type envOption func(*Deps)

func newTestEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	secret := []byte("0123456789abcdef0123456789abcdef-test-secret")
	st := openTestStore(t, secret)

	sb, sbServer := startSandbox(t, 1)

	oauth, err := hh.NewClient(hh.Config{
		APIURL: sbServer.URL, OAuthURL: sbServer.URL, UserAgent: "Otklik-test/1.0 (test@example.com)",
		ClientID: sb.ClientID(), ClientSecret: sb.ClientSecret(), MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	cfg := config.Config{
		BaseURL:      base,
		SecretKey:    secret,
		HHAPIURL:     sbServer.URL,
		HHOAuthURL:   sbServer.URL,
		Registration: config.RegistrationOpen,
	}
	jobs := &fakeJobs{}
	// Each test its own Redis: the throttle's counters are per address and
	// every test browser comes from 127.0.0.1.
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	d := Deps{
		Config:   cfg,
		Store:    st,
		Redis:    rdb,
		OAuth:    oauth,
		HHAccess: storeHHAccess{st: st, oauth: oauth},
		Jobs:     jobs,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Fast hashes keep the suite quick under -race; the cost is
		// recorded in each hash, so login works the same.
		PasswordCost: bcrypt.MinCost,
	}
	for _, o := range opts {
		o(&d)
	}
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &testEnv{t: t, store: st, sandbox: sb, hhURL: sbServer.URL, oauth: oauth, server: srv, jobs: jobs, cfg: d.Config,
		redis: mr, deps: d}
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see every 303.
type browser struct {
	t    *testing.T
	env  *testEnv
	c    *http.Client
	last string // the last HTML body fetched
	ip   string // sent as X-Forwarded-For when set (envs with TrustForwardedFor)
}

// from makes b's requests come from ip, as a proxy trusted by the app would
// say.
func (b *browser) from(ip string) *browser {
	b.ip = ip
	return b
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, env: e, c: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	b.last = string(body)
	return response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), header: res.Header}
}

func (b *browser) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.env.server.URL + path
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.url(path), nil)
	return b.do(req)
}

// postRaw posts form exactly as given.
func (b *browser) postRaw(path string, form url.Values, header map[string]string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.url(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf fetches page and returns the token of its first form.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	r := b.get(page)
	m := csrfRe.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("no csrf token on %s (status %d)", page, r.status)
	}
	return m[1]
}

// post submits form to path with a CSRF token taken from page.
func (b *browser) post(page, path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf(page))
	return b.postRaw(path, form, nil)
}

// register signs a new person up and returns their user.
func (b *browser) register(email, password string) *store.User {
	b.t.Helper()
	r := b.post("/register", "/register", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		b.t.Fatalf("register %s: status %d location %q\n%s", email, r.status, r.location, r.body)
	}
	u, err := b.env.store.UserByEmail(context.Background(), email)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// applicant is the first sandbox user that can apply and has a published resume.
func (e *testEnv) applicant(skip int) hhsandbox.User {
	e.t.Helper()
	for _, u := range e.sandbox.Users() {
		if !u.Applicant {
			continue
		}
		for _, r := range u.Resumes {
			if r.Published {
				if skip == 0 {
					return u
				}
				skip--
				break
			}
		}
	}
	e.t.Fatal("sandbox has no applicant with a published resume")
	return hhsandbox.User{}
}

// connectHH walks the sandbox's OAuth pages as hhUser and returns the final
// response of our callback.
func (b *browser) connectHH(hhUser string, allow bool) response {
	b.t.Helper()
	r := b.get("/hh/connect")
	if r.status != http.StatusFound {
		b.t.Fatalf("/hh/connect: status %d", r.status)
	}
	auth, _ := url.Parse(r.location)
	form := url.Values{}
	for k, vs := range auth.Query() {
		if k != "force_login" {
			form[k] = vs
		}
	}
	form.Set("step", "login")
	form.Set("user", hhUser)
	page := b.postRaw(b.env.hhURL+"/oauth/authorize", form, nil)
	if page.status == http.StatusOK && strings.Contains(page.body, `value="consent"`) {
		form.Set("step", "consent")
		form.Del("user")
		if allow {
			form.Set("decision", "allow")
		} else {
			form.Set("decision", "deny")
		}
		page = b.postRaw(b.env.hhURL+"/oauth/authorize", form, nil)
	}
	if page.status != http.StatusFound || !strings.HasPrefix(page.location, b.env.server.URL+"/hh/callback") {
		b.t.Fatalf("sandbox did not redirect back: status %d location %q\n%s", page.status, page.location, page.body)
	}
	return b.get(page.location)
}

// openTestStore opens a migrated store in a database of its own (a temp
// file, or a PostgreSQL database on storetest's PostgreSQL pass), closed at
// the end.
func openTestStore(t *testing.T, secret []byte) *store.Store {
	t.Helper()
	cipher, err := store.NewCipherFromSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), storetest.DSN(t), store.Options{Cipher: cipher, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// startSandbox serves a seeded hh sandbox over HTTP until the test ends.
func startSandbox(t *testing.T, seed int64) (*hhsandbox.Sandbox, *httptest.Server) {
	t.Helper()
	sb := hhsandbox.New(hhsandbox.Options{Seed: seed, Vacancies: 300})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, srv
}
