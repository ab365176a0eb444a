package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestZeroSetupFirstRun is the README's first command, proven: it builds
// cmd/web, starts it with an empty environment in a temp directory, and walks
// through it as a newcomer would over HTTP: register, connect hh through the
// mounted sandbox, create a rule, run it, and find applications.
func TestZeroSetupFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "otklik-web")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// An empty environment but for what any process needs and the two
	// things a second instance on a shared machine must change: where to
	// listen and the matching public URL. Pacing stays at its default (2s
	// between one account's applications): the walk waits for the first
	// application only.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LISTEN_ADDR=127.0.0.1:" + fmt.Sprint(port), "BASE_URL=" + base}
	web := startWeb(t, bin, dir, env)

	c := newBrowser(t, base)
	c.waitReady()
	// The banner is printed before serving, but reaches out through a pipe
	// and a copying goroutine: wait for it rather than race it.
	for _, want := range []string{"sandbox", "embedded in-process Redis", filepath.Join(dir, "data")} {
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(web.out.String(), want); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("start-up banner lacks %q:\n%s", want, web.out.String())
				break
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "data", "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("generated secret key: %v, mode %v", err, fi)
	}

	// Register: signs in at once and lands on /.
	page := c.get("/register")
	page = c.post("/register", page, url.Values{"email": {"newcomer@example.com"}, "password": {"correct horse battery"}})
	if c.last.Path != "/" {
		t.Fatalf("after sign-up landed on %s", c.last)
	}
	if !strings.Contains(page, "Песочница") {
		t.Error("the sandbox banner is missing")
	}

	// Connect hh through the sandbox: login page, pick a user, allow.
	page = c.get("/hh/connect")
	if !strings.Contains(c.last.Path, "/sandbox/oauth/authorize") {
		t.Fatalf("connect went to %s", c.last)
	}
	user := regexp.MustCompile(`name="user" value="([^"]+)"`).FindStringSubmatch(page)
	if user == nil {
		t.Fatalf("no sandbox user to pick:\n%s", page)
	}
	form := hiddenFields(page)
	form.Set("user", user[1])
	page = c.postTo(c.last, "authorize", form)
	form = hiddenFields(page)
	form.Set("decision", "allow")
	page = c.postTo(c.last, "authorize", form)
	if !strings.Contains(page, "Вы вошли как") {
		t.Fatalf("after connecting, %s does not say who is connected:\n%s", c.last, page)
	}

	// Create a rule with the first published resume and run it now.
	page = c.get("/rules/new")
	resume := regexp.MustCompile(`<option value="([0-9a-f]{8,})"`).FindStringSubmatch(page)
	if resume == nil {
		t.Fatalf("the rule form offers no resume:\n%s", page)
	}
	ruleForm := url.Values{
		"name": {"Все вакансии"}, "resume_id": {resume[1]}, "mode": {"letters"}, "currency": {"RUR"},
		"daily_limit": {"20"}, "every_hours": {"4"}, "active_from": {"00:00"}, "active_to": {"00:00"}, "enabled": {"on"},
	}
	page = c.post("/rules", page, ruleForm)
	if !regexp.MustCompile(`^/rules/\d+$`).MatchString(c.last.Path) {
		t.Fatalf("creating a rule landed on %s:\n%s", c.last, page)
	}
	rulePath := c.last.Path
	c.post(rulePath+"/run", page, url.Values{})

	deadline := time.Now().Add(90 * time.Second)
	for {
		page = c.get("/applications?status=applied")
		applied := strings.Count(page, `data-status="applied"`)
		review := strings.Count(c.get("/review"), `data-status="review"`)
		if applied > 0 && review > 0 {
			t.Logf("applied %d, review %d", applied, review)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no applications and review items after running the rule (applied %d, review %d)", applied, review)
		}
		time.Sleep(time.Second)
	}

	// /metrics counts what the worker did, through Redis: hh's 201 for an
	// application and the ledger's applied outcome (flushed every few
	// seconds).
	wantSeries := []string{
		`otklik_applications_total{outcome="applied"}`,
		`otklik_hh_requests_total{op="apply",status="201"}`,
		`otklik_queue_processed_total{queue=`,
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		metrics := c.get("/metrics")
		missing := slices.DeleteFunc(slices.Clone(wantSeries), func(s string) bool { return strings.Contains(metrics, s) })
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q:\n%s", missing, metrics)
		}
		time.Sleep(time.Second)
	}

	// A restart on the same DATA_DIR keeps the sandbox's side too: the
	// account stays connected (its tokens still work: a preview searches
	// hh, and a run goes on applying rather than turning the account into
	// "reconnect needed"), and the sandbox still lists the applications it
	// received.
	sent := sandboxApplications(c)
	if len(sent) == 0 {
		t.Fatal("the sandbox lists no applications before the restart")
	}
	web.stop()
	if fi, err := os.Stat(filepath.Join(dir, "data", "sandbox.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the sandbox's state file: %v, mode %v; want 0600", err, fi)
	}
	web = startWeb(t, bin, dir, env)
	c.waitReady()
	if after := sandboxApplications(c); len(after) < len(sent) {
		t.Errorf("the sandbox lists %d applications after the restart, %d before", len(after), len(sent))
	}
	if page := c.get(rulePath + "/preview"); strings.Contains(page, "больше не принимает наш ключ доступа") {
		t.Errorf("after the restart the preview says the hh key is refused:\n%s", page)
	}
	// A vacancy published now, which the run started next applies to.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/sandbox/_sandbox/vacancies",
		strings.NewReader(`{"name":"Go-разработчик (после перезапуска)"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	c.do(req)
	// The first run filled the rule's daily cap of 20 (queued and held for
	// review): raise it, so the next run takes the new vacancy on.
	ruleForm.Set("daily_limit", "100")
	c.post(rulePath, c.get(rulePath), ruleForm)
	// A press joins a run already in flight (the tick's, at start), which
	// may have searched before the vacancy was there: press until a run
	// started after it has applied.
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(time.Second) {
		if page := c.get("/"); strings.Contains(page, "Доступ к hh.ru потерян") {
			t.Fatalf("after the restart the account needs reconnecting:\n%s", page)
		}
		if len(sandboxApplications(c)) > len(sent) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no application reached the sandbox after the restart (%d before)", len(sent))
		}
		c.post(rulePath+"/run", c.get(rulePath), url.Values{})
	}
}

// sandboxApplications lists the vacancies of the applications the mounted
// sandbox received, through its admin API (the browser is an admin).
func sandboxApplications(c *browser) []string {
	c.t.Helper()
	var apps []struct {
		VacancyID string `json:"vacancy_id"`
	}
	if err := json.Unmarshal([]byte(c.get("/sandbox/_sandbox/applications")), &apps); err != nil {
		c.t.Fatalf("sandbox applications: %v", err)
	}
	ids := make([]string, 0, len(apps))
	for _, a := range apps {
		ids = append(ids, a.VacancyID)
	}
	return ids
}

// webProcess is a running cmd/web binary.
type webProcess struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	once sync.Once
}

// startWeb starts the binary in dir with env; it is stopped (SIGINT, as a
// person at the terminal would) by stop or at the end of the test.
func startWeb(t *testing.T, bin, dir string, env []string) *webProcess {
	t.Helper()
	w := &webProcess{cmd: exec.Command(bin), out: &syncBuffer{}}
	w.cmd.Dir = dir
	w.cmd.Env = env
	w.cmd.Stdout = w.out
	w.cmd.Stderr = w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("web output:\n%s", w.out.String())
		}
	})
	return w
}

func (w *webProcess) stop() {
	w.once.Do(func() {
		_ = w.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = w.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = w.cmd.Process.Kill()
			<-done
		}
	})
}

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// browser is a cookie-keeping HTTP client that follows redirects and
// remembers where it landed.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	last *url.URL
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (b *browser) waitReady() {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := b.c.Get(b.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatal("the web app did not become ready")
}

func (b *browser) do(req *http.Request) string {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.last = resp.Request.URL
	if resp.StatusCode >= 400 {
		b.t.Fatalf("%s %s: %d\n%s", req.Method, req.URL, resp.StatusCode, body)
	}
	return string(body)
}

func (b *browser) get(path string) string {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post submits a form of the app, adding the csrf token found in page.
func (b *browser) post(path, page string, form url.Values) string {
	b.t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no csrf field on the page before POST %s", path)
	}
	form.Set("csrf", html.UnescapeString(m[1]))
	return b.postTo(mustParse(b.base+path), "", form)
}

// postTo posts form to ref resolved against from.
func (b *browser) postTo(from *url.URL, ref string, form url.Values) string {
	b.t.Helper()
	target := from.ResolveReference(mustParse(ref))
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

func TestBaseURLHint(t *testing.T) {
	at := func(port int) net.Addr { return &net.TCPAddr{IP: net.IPv4zero, Port: port} }
	for _, c := range []struct {
		base string
		port int
		want string
	}{
		{"http://localhost:8080", 8080, ""},
		{"http://localhost:8080", 9090, "set BASE_URL=http://localhost:9090"},
		{"http://127.0.0.1", 80, ""},
		{"https://otklik.example.com", 8080, ""}, // behind a proxy
	} {
		u, _ := url.Parse(c.base)
		got := baseURLHint(u, at(c.port))
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("baseURLHint(%s, %d) = %q, want %q", c.base, c.port, got, c.want)
		}
	}
}
