// Package e2e drives a whole Otklik web process (store, Redis, worker and the
// mounted hh sandbox) in a real headless Chromium, as a new user would.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/internal/app"
)

// redisDB is this package's own Redis database when REDIS_URL is set.
const redisDB = 3

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on this machine; .ci/run installs Debian's chromium")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium)")
	return ""
}

// startOtklik runs a web process in-process, with its worker.
func startOtklik(t *testing.T) (*app.Instance, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"DATA_DIR":       t.TempDir(),
		"BASE_URL":       base,
		"APPLY_INTERVAL": "50ms",
		"HH_RATE_LIMIT":  "50",
	}
	if url := os.Getenv("REDIS_URL"); url != "" {
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		opt.DB = redisDB
		rdb := redis.NewClient(opt)
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		rdb.Close()
		env["REDIS_URL"] = fmt.Sprintf("redis://%s/%d", opt.Addr, redisDB)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	inst, err := app.OpenInstance(context.Background(), cfg, ln, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := inst.StartWorker(8); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: inst.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		inst.Close()
	})
	return inst, base
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestNewUserInBrowser: register → connect hh in the sandbox → create a
// rule → run now → see applications and a review item → edit the letter and
// send → the sandbox shows it applied → the summary counts it.
func TestNewUserInBrowser(t *testing.T) {
	exe := chromium(t)
	inst, base := startOtklik(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Start the browser on a context without a deadline (chromedp's rule),
	// then bound every step.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	shots := "screenshots"
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage:\n%s", step, err, html)
		}
	}
	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}

	// Register: signed in at once, on the dashboard, with the sandbox banner.
	do("register",
		chromedp.Navigate(base+"/register"),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "maria@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "долгий пароль 2026"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
		chromedp.Sleep(300*time.Millisecond),
	)
	if body := text("body"); !strings.HasSuffix(location(), "/") || !strings.Contains(body, "Песочница") {
		t.Fatalf("after sign-up: %s\n%s", location(), body)
	}

	// Connect hh: the sandbox's login page, pick the first user, allow.
	do("connect hh",
		chromedp.Navigate(base+"/hh/connect"),
		chromedp.WaitVisible(chromedp.CSS(`button[name="user"]`)),
		chromedp.Click(chromedp.CSS(`button[name="user"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
	)
	if body := text("body"); !strings.Contains(body, "Вы вошли как") {
		t.Fatalf("the dashboard does not say who is connected:\n%s", body)
	}

	// Create a rule in letters mode with a template, then run it now.
	do("create rule",
		chromedp.Navigate(base+"/rules/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), "Разработка"),
		pickFirstOption(`select[name="resume_id"]`),
		chromedp.SetValue(chromedp.CSS(`input[name="daily_limit"]`), "15"),
		chromedp.SetValue(chromedp.CSS(`input[name="active_from"]`), "00:00"),
		chromedp.SetValue(chromedp.CSS(`input[name="active_to"]`), "00:00"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="letter_template"]`), "Здравствуйте! Меня заинтересовала вакансия «{vacancy}» в компании {company}. {first_name} {last_name}"),
		chromedp.Submit(chromedp.CSS(`input[name="name"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/run"]`)),
	)
	if loc := location(); !regexp.MustCompile(`/rules/\d+$`).MatchString(loc) {
		t.Fatalf("creating a rule landed on %s", loc)
	}
	do("run now",
		chromedp.Submit(chromedp.CSS(`form[action$="/run"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
	)

	// Applications and review items appear.
	waitFor(t, ctx, base+"/applications?status=applied", `[data-status="applied"]`)
	waitFor(t, ctx, base+"/review", `li[data-status="review"] textarea[name="message"]`)
	do("dashboard screenshot", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`body`)), screenshot(filepath.Join(shots, "dashboard.png")))
	do("review screenshot", chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.CSS(`li[data-status="review"]`)), screenshot(filepath.Join(shots, "review.png")))

	// Edit the first letter and send it.
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`li[data-status="review"]`), "data-vacancy-id"))
	if err != nil || attr.Value == "" {
		t.Fatalf("review item without data-vacancy-id: %v", err)
	}
	vacancyID := attr.Value
	letter := "Добрый день! Пишу лично: опыт на Go шесть лет, готов к собеседованию."
	do("send from review",
		chromedp.SetValue(chromedp.CSS(`li[data-status="review"] textarea[name="message"]`), letter),
		chromedp.Submit(chromedp.CSS(`li[data-status="review"] form[action$="/send"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`body`)),
	)

	// The sandbox shows the application with the edited letter.
	deadline := time.Now().Add(60 * time.Second)
	for sent := false; !sent; {
		for _, a := range inst.Sandbox.Applications() {
			if a.VacancyID == vacancyID {
				if a.Message != letter {
					t.Fatalf("sandbox got letter %q, want %q", a.Message, letter)
				}
				sent = true
			}
		}
		if !sent && time.Now().After(deadline) {
			t.Fatalf("vacancy %s never reached the sandbox", vacancyID)
		}
		time.Sleep(300 * time.Millisecond)
	}
	waitFor(t, ctx, base+"/applications?status=applied", fmt.Sprintf(`[data-vacancy-id="%s"][data-status="applied"]`, vacancyID))

	// The summary counts it: today's applied count equals the history's.
	do("history", chromedp.Navigate(base+"/applications?status=applied"))
	applied, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-status="applied"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	do("summary", chromedp.Navigate(base+"/summary"))
	if got := strings.TrimSpace(text(`[data-status="applied"] b`)); got != fmt.Sprint(applied) || applied == 0 {
		t.Errorf("summary counts %q applied, history shows %d", got, applied)
	}
}

// waitFor reloads url until selector matches.
func waitFor(t *testing.T, ctx context.Context, url, selector string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(sctx, chromedp.Navigate(url))
		n, err2 := chromedp.Run(sctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, selector)))
		cancel()
		if err := errors.Join(err, err2); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %s", url, selector)
		}
		time.Sleep(time.Second)
	}
}

func screenshot(path string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(path, buf, 0o644)
	}
}

// pickFirstOption selects the first option with a value, as a person picking
// from the list would.
func pickFirstOption(selector string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); const o = [...s.options].find(o => o.value); s.value = o.value; return o.value; })()`, selector)
		_, err := chromedp.Evaluate[string](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}
