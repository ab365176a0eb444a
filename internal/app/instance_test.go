package app

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/store/storetest"
)

// testRedisDB is this package's Redis database when REDIS_URL is set, apart
// from the other packages' (tasks 1, web 2, faults 5, clustermetrics 6).
const testRedisDB = 7

// TestMain runs the package's tests on SQLite, then on PostgreSQL when
// OTKLIK_TEST_POSTGRES is set.
func TestMain(m *testing.M) { storetest.Main(m) }

// pgDatabases maps a test's DATA_DIR to its PostgreSQL database on the
// PostgreSQL pass.
var pgDatabases sync.Map

// testConfig is the configuration a test instance in dir starts with: the
// defaults, DATA_DIR in dir, Redis as the suite runs it, and env on top.
func testConfig(t *testing.T, dir string, env map[string]string) config.Config {
	t.Helper()
	vars := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "error"}
	if storetest.Postgres() {
		// One database per DATA_DIR, as the SQLite file in it would be.
		dsn, ok := pgDatabases.Load(dir)
		if !ok {
			dsn, _ = pgDatabases.LoadOrStore(dir, storetest.NewPostgres(t))
		}
		vars["DATABASE_URL"] = dsn.(string)
	}
	if u := os.Getenv("REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		vars["REDIS_URL"] = (&url.URL{Scheme: "redis", Host: opt.Addr, Path: "/" + strconv.Itoa(testRedisDB)}).String()
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startInstance serves a whole web process over real HTTP until the test
// ends and returns its base URL.
func startInstance(t *testing.T, env map[string]string) (*Instance, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	vars := map[string]string{"BASE_URL": base}
	for k, v := range env {
		vars[k] = v
	}
	cfg := testConfig(t, t.TempDir(), vars)
	inst, err := OpenInstance(context.Background(), cfg, ln, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := &http.Server{Handler: inst.Handler}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		inst.Close()
	})
	return inst, base
}

// visitor is a cookie-keeping client that does not follow redirects.
type visitor struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newVisitor(t *testing.T, base string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (v *visitor) do(method, path string, form url.Values, header ...string) (int, string) {
	v.t.Helper()
	req, _ := http.NewRequest(method, v.base+path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", v.base)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := v.c.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token on page.
func (v *visitor) csrf(page string) string {
	v.t.Helper()
	_, body := v.do(http.MethodGet, page, nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		v.t.Fatalf("no csrf field on %s:\n%s", page, body)
	}
	return html.UnescapeString(m[1])
}

// register signs up through the form, as a browser would.
func (v *visitor) register(email string) {
	v.t.Helper()
	status, body := v.do(http.MethodPost, "/register", url.Values{
		"email": {email}, "password": {"correct horse battery"}, "csrf": {v.csrf("/register")}})
	if status != http.StatusSeeOther {
		v.t.Fatalf("register %s: %d\n%s", email, status, body)
	}
}

// In the zero-setup mode the sandbox's admin API (every letter sent, token
// minting, reset) is for the instance's admins only; the rest of the
// sandbox stays public.
func TestSandboxAdminAPIIsForInstanceAdmins(t *testing.T) {
	_, base := startInstance(t, nil)
	const applications = "/sandbox/_sandbox/applications"

	anon := newVisitor(t, base)
	if status, _ := anon.do(http.MethodGet, applications, nil); status != http.StatusNotFound {
		t.Errorf("signed out GET %s: %d, want 404", applications, status)
	}
	if status, _ := anon.do(http.MethodPost, "/sandbox/_sandbox/reset", nil); status != http.StatusNotFound {
		t.Errorf("signed out POST reset: %d, want 404", status)
	}
	if status, _ := anon.do(http.MethodGet, "/sandbox/_sandbox/", nil); status != http.StatusNotFound {
		t.Errorf("signed out GET the admin index: %d, want 404", status)
	}
	// The OAuth pages and the API stay public.
	if status, body := anon.do(http.MethodGet, "/sandbox/dictionaries", nil); status != http.StatusOK {
		t.Errorf("public sandbox API: %d %s", status, body)
	}

	admin := newVisitor(t, base)
	admin.register("admin@example.com") // the first user is the admin
	user := newVisitor(t, base)
	user.register("user@example.com")
	if status, _ := user.do(http.MethodGet, applications, nil); status != http.StatusNotFound {
		t.Errorf("non-admin GET %s: %d, want 404", applications, status)
	}
	if status, body := admin.do(http.MethodGet, applications, nil); status != http.StatusOK {
		t.Errorf("admin GET %s: %d %s", applications, status, body)
	}
}

// Behind a reverse proxy every request comes from the proxy: with
// TRUST_PROXY the sign-in throttle keys on the client the proxy names in
// X-Forwarded-For, so one client's guessing does not lock everyone out.
func TestTrustProxyThrottlesEachClient(t *testing.T) {
	_, base := startInstance(t, map[string]string{"TRUST_PROXY": "true"})
	v := newVisitor(t, base)
	token := v.csrf("/register")
	// A sign-up without an e-mail counts against the client's attempts
	// but costs no bcrypt work, which keeps this quick.
	attempt := func(client string) int {
		status, _ := v.do(http.MethodPost, "/register", url.Values{"email": {""}, "password": {"x"}, "csrf": {token}},
			"X-Forwarded-For", "198.51.100.7, "+client)
		return status
	}
	// One client tries until the throttle stops it (a burst, then a slow
	// trickle: the count is not asserted, only that it stops).
	throttled := false
	for i := 0; i < 500 && !throttled; i++ {
		throttled = attempt("203.0.113.1") == http.StatusTooManyRequests
	}
	if !throttled {
		t.Fatal("500 attempts from one client were never throttled")
	}
	if status := attempt("203.0.113.2"); status != http.StatusUnprocessableEntity {
		t.Errorf("another client behind the same proxy: %d, want 422 (a bad form, not throttled)", status)
	}
}
