package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

func TestParseFlagsDefaults(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.seed != 1 || c.vacancies != 3000 || c.dailyLimit != 200 || c.limitStatus != 400 ||
		c.tokenTTL != 14*24*time.Hour || c.redirectURI != "http://localhost:8080/hh/callback" || c.retryAfter != time.Second {
		t.Errorf("defaults: %+v", c)
	}
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"-error-rate", "1.5"},
		{"-rate-limit-rate", "-0.1"},
		{"-limit-status", "418"},
		{"-vacancies", "0"},
		{"-retry-after", "0s"},
		{"-retry-after", "-1s"},
		{"-nonsense"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestParseFlagsFaults(t *testing.T) {
	c, err := parseFlags([]string{"-latency", "50ms", "-error-rate", "0.1", "-rate-limit-rate", "0.2", "-retry-after", "3s",
		"-captcha", "-daily-limit", "5", "-limit-status", "429", "-token-ttl", "1m", "-seed", "9", "-vacancies", "100"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := c.options()
	if o.Seed != 9 || o.Vacancies != 100 || o.DailyLimit != 5 || o.TokenTTL != time.Minute ||
		o.Faults.Latency != 50*time.Millisecond || o.Faults.ErrorRate != 0.1 || o.Faults.RateLimitRate != 0.2 ||
		o.Faults.RetryAfter != 3*time.Second || !o.Faults.Captcha || o.Faults.LimitStatus != 429 {
		t.Errorf("options %+v", o)
	}
}

// TestRunServesAndShutsDown starts the server on a free port, reads the
// printed URL, credentials and users, calls the API, and stops it the way
// SIGINT would (by cancelling the context).
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-vacancies", "50"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	values := map[string]string{}
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "HH_") {
			values[k] = v
		}
		if strings.Contains(line, "employer") {
			break // the users list ends with the employer
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := values["HH_API_URL"]
	if !strings.HasPrefix(base, "http://127.0.0.1:") || values["HH_CLIENT_ID"] == "" || values["HH_CLIENT_SECRET"] == "" {
		t.Fatalf("banner values %v", values)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/areas", nil)
	req.Header.Set("HH-User-Agent", "test/1.0 (t@example.com)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /areas: %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/oauth/authorize?response_type=code&client_id=" + values["HH_CLIENT_ID"])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login page: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

// The banner's login link must lead to the login form: with a registered
// redirect URI the bare link does (hh falls back to the registered one);
// without one it would reach an error page, so it is left out.
func TestBannerLoginLink(t *testing.T) {
	for _, redirect := range []string{"http://localhost:8080/hh/callback", ""} {
		t.Run(fmt.Sprintf("redirect %q", redirect), func(t *testing.T) {
			c, err := parseFlags([]string{"-redirect-uri", redirect, "-vacancies", "20"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(nil)
			c.baseURL = "http://" + srv.Listener.Addr().String()
			sb := hhsandbox.New(c.options())
			srv.Config.Handler = sb
			srv.Start()
			t.Cleanup(srv.Close)

			var out strings.Builder
			banner(&out, c, sb)
			var links []string
			for _, word := range strings.Fields(out.String()) {
				if strings.Contains(word, "/oauth/authorize") {
					links = append(links, word)
				}
			}
			if redirect == "" {
				if len(links) != 0 || !strings.Contains(out.String(), "redirect_uri") {
					t.Errorf("without a redirect URI the banner links %v, want no link and a word on redirect_uri:\n%s", links, out.String())
				}
				return
			}
			if len(links) != 1 {
				t.Fatalf("login links %v, want one:\n%s", links, out.String())
			}
			resp, err := http.Get(links[0])
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<form") {
				t.Errorf("login page %s: %d\n%s", links[0], resp.StatusCode, body)
			}
		})
	}
}

// -retry-after reaches the 429s the sandbox injects.
func TestRunRetryAfter(t *testing.T) {
	c, err := parseFlags([]string{"-rate-limit-rate", "1", "-retry-after", "4s", "-vacancies", "20"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hhsandbox.New(c.options()))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/areas", nil)
	req.Header.Set("HH-User-Agent", "test/1.0 (t@example.com)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "4" {
		t.Errorf("GET /areas: %d with Retry-After %q, want 429 with 4", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// startRun runs the sandbox with args on a free port and returns its URL
// (from the banner) and a stop that cancels it as SIGINT would.
func startRun(t *testing.T, args ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-vacancies", "50"}, args...), pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(lines.Text()), "="); ok && k == "HH_API_URL" {
			base = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		cancel()
		t.Fatalf("no HH_API_URL in the banner: %v", <-done)
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

// With -state, a restarted sandbox takes the tokens it issued before.
func TestRunKeepsStateAcrossRestarts(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox.json")
	base, stop := startRun(t, "-state", state)
	resp, err := http.Post(base+"/_sandbox/tokens/issue", "application/json", strings.NewReader(`{"user_id":"31000001"}`))
	if err != nil {
		t.Fatal(err)
	}
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	if err != nil || issued.AccessToken == "" {
		t.Fatalf("issue a token: %v %+v", err, issued)
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}

	base, _ = startRun(t, "-state", state)
	req, _ := http.NewRequest(http.MethodGet, base+"/me", nil)
	req.Header.Set("HH-User-Agent", "test/1.0 (t@example.com)")
	req.Header.Set("Authorization", "Bearer "+issued.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /me with a token issued before the restart: %d", resp.StatusCode)
	}
}
