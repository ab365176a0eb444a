package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/internal/redisclock"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// browserRedisDB is this package's Redis database when REDIS_URL is set:
// packages test in parallel and asynq keys have no prefix (tasks uses 1).
const browserRedisDB = 2

// screenshotDir is git-ignored (web/.gitignore).
const screenshotDir = "screenshots"

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// journeyEnv is the whole product in one process: the web app, a worker
// over Redis (real when REDIS_URL is set, else in-process), the sandbox.
type journeyEnv struct {
	web     *httptest.Server
	sandbox *hhsandbox.Sandbox
	hhURL   string // the sandbox, whose admin API injects faults
	store   *store.Store
}

func newJourneyEnv(t *testing.T) *journeyEnv {
	t.Helper()
	ctx := context.Background()
	secret := []byte("0123456789abcdef0123456789abcdef-browser")
	st := openTestStore(t, secret)

	sb, sbServer := startSandbox(t, 7)

	var conn asynq.RedisClientOpt
	var rdb *redis.Client
	if u := os.Getenv("REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		opt.DB = browserRedisDB
		conn = asynq.RedisClientOpt{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: browserRedisDB}
		rdb = redis.NewClient(opt)
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	} else {
		m := miniredis.RunT(t)
		// asynq's scheduled and retried tasks wait on Redis time.
		t.Cleanup(redisclock.Follow(m, 50*time.Millisecond))
		conn = asynq.RedisClientOpt{Addr: m.Addr()}
		rdb = redis.NewClient(&redis.Options{Addr: m.Addr()})
	}
	t.Cleanup(func() { rdb.Close() })
	queue := asynq.NewClient(conn)
	t.Cleanup(func() { queue.Close() })
	inspector := asynq.NewInspector(conn)
	t.Cleanup(func() { inspector.Close() })

	web := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + web.Listener.Addr().String())
	hhCfg := hh.Config{
		APIURL: sbServer.URL, OAuthURL: sbServer.URL, UserAgent: "Otklik-browser-test/1.0 (test@example.com)",
		ClientID: sb.ClientID(), ClientSecret: sb.ClientSecret(),
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	worker, err := tasks.New(tasks.Deps{
		Store: st, Redis: rdb, Queue: queue, HH: hhCfg,
		RateLimit: 500, ApplyInterval: 5 * time.Millisecond, BaseURL: base.String(), Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := asynq.NewServer(conn, tasks.ServerConfig(4, logger))
	mux := asynq.NewServeMux()
	worker.Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	oauth, err := hh.NewClient(hhCfg)
	if err != nil {
		t.Fatal(err)
	}
	app, err := New(Deps{
		Config: config.Config{BaseURL: base, SecretKey: secret, HHAPIURL: sbServer.URL, HHOAuthURL: sbServer.URL,
			Registration: config.RegistrationOpen},
		Store: st, Redis: rdb, OAuth: oauth, HHAccess: worker, Jobs: tasks.Jobs{Queue: queue, Store: st, Inspector: inspector},
		Logger: logger, PasswordCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatal(err)
	}
	web.Config.Handler = app.Handler()
	web.Start()
	t.Cleanup(web.Close)
	return &journeyEnv{web: web, sandbox: sb, hhURL: sbServer.URL, store: st}
}

// TestBrowserJourney is a new user's first evening in real headless
// Chromium: register → connect hh in the sandbox → create a rule → run now
// → see applications and a review item → edit the letter and send → the
// sandbox shows it applied → the summary counts it. It saves screenshots
// of the dashboard and the review queue to web/screenshots/.
func TestBrowserJourney(t *testing.T) {
	chrome := chromiumOrSkip(t)
	env := newJourneyEnv(t)
	base := env.web.URL
	ctx := browserContext(t, chrome, 4*time.Minute)
	// failed reports a failed step with where the browser was and what it showed.
	failed := func(step string, err error) {
		t.Helper()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s\n%s", step, err, loc, body)
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			failed(step, err)
		}
	}
	read := func(step string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			failed(step, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			failed("screenshot "+name, err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// count is how many elements match sel on the current page.
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		if err != nil {
			failed("count "+sel, err)
		}
		return n
	}
	// waitFor reloads path until sel appears.
	waitFor := func(path, sel string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			run("open "+path, chromedp.Navigate(base+path))
			if count(sel) > 0 {
				return
			}
			if time.Now().After(deadline) {
				failed(path, fmt.Errorf("never showed %s", sel))
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	// submit clicks sel and waits for the page it leads to (a new document,
	// not the one clicked on).
	submit := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Evaluate[bool](`document.body.setAttribute("data-stale", "1"), true`)(ctx, tg)
				return err
			}),
			chromedp.Click(css(sel)),
			chromedp.WaitNotPresent(css("body[data-stale]")),
			chromedp.WaitReady(css("body")),
		)
	}

	// 1. Register: signed in at once, on the dashboard.
	run("register",
		chromedp.Navigate(base+"/register"),
		chromedp.SendKeys(css("#email"), "seeker@example.com"),
		chromedp.SendKeys(css("#password"), "correct horse battery"),
		submit(`form[action="/register"] button[type=submit]`),
		chromedp.WaitVisible(css(`a[href="/hh/connect"]`)),
	)

	// 2. Connect hh through the sandbox's pages.
	var hhUser hhsandbox.User
	for _, u := range env.sandbox.Users() {
		if u.Applicant && len(u.Resumes) > 0 && u.Resumes[0].Published {
			hhUser = u
			break
		}
	}
	run("connect hh",
		chromedp.Click(css(`main a[href="/hh/connect"]`)),
		chromedp.WaitVisible(css(fmt.Sprintf(`button[data-user-id=%q]`, hhUser.ID))),
		chromedp.Click(css(fmt.Sprintf(`button[data-user-id=%q]`, hhUser.ID))),
		chromedp.WaitVisible(css(`button[name=decision][value=allow]`)),
		chromedp.Click(css(`button[name=decision][value=allow]`)),
		chromedp.WaitVisible(css(`a[href="/hh/connect?force_login=1"]`)),
	)
	greeting := read("read the greeting", chromedp.Text(css(`main section.card`)))
	if want := "Вы вошли как " + hhUser.FirstName + " " + hhUser.LastName; !strings.Contains(greeting, want) {
		t.Errorf("dashboard says %q, want %q", greeting, want)
	}

	// 3. A rule in mode letters with a template, round the clock.
	template := "Здравствуйте! Меня заинтересовала вакансия {vacancy} в {company}."
	run("create rule",
		chromedp.Navigate(base+"/rules/new"),
		chromedp.SendKeys(css("#name"), "Всё подряд"),
		chromedp.SetValue(css("#resume_id"), hhUser.Resumes[0].ID),
		chromedp.SendKeys(css("#letter_template"), template),
		chromedp.SetValue(css("#daily_limit"), "40"),
		chromedp.SetValue(css("#active_from"), "00:00"),
		chromedp.SetValue(css("#active_to"), "00:00"),
		submit(`form[action="/rules"] button[type=submit]`),
		chromedp.WaitVisible(css(`form[action$="/run"] button`)),
	)

	// 4. Run now; applications and a review item appear.
	run("run now", submit(`form[action$="/run"] button`), chromedp.WaitVisible(css(`.flash`)))
	waitFor("/applications", `tr[data-status="applied"]`, time.Minute)
	waitFor("/review", `li[data-status="review"]`, time.Minute)
	shot("review.png")

	// Pick an item that waits for its letter only (hh would refuse one with
	// a test, and rightly so).
	items, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll(`li[data-status="review"]`)))
	if err != nil {
		failed("read review items", err)
	}
	var itemID, vacancyID string
	for _, it := range items {
		if v, ok := env.sandbox.Vacancy(it["data-vacancy-id"]); ok && !v.HasTest && !v.TestRequired && v.Type != "direct" {
			itemID, vacancyID = it["id"], it["data-vacancy-id"]
			break
		}
	}
	if itemID == "" {
		t.Fatalf("no review item without a test among %d", len(items))
	}
	draft := read("read the draft", chromedp.Value(css("#"+itemID+" textarea[name=message]")))
	if !strings.HasPrefix(draft, "Здравствуйте! Меня заинтересовала вакансия") {
		t.Errorf("the draft is %q, not the template's", draft)
	}

	// 5. Edit the letter and send.
	letter := draft + "\n\nГотов рассказать подробнее на собеседовании."
	run("send",
		chromedp.SetValue(css("#"+itemID+" textarea[name=message]"), letter),
		submit("#"+itemID+` form[action$="/send"] button`),
		chromedp.WaitVisible(css(`.flash`)),
	)
	deadline := time.Now().Add(time.Minute)
	for {
		var sent *hhsandbox.Application
		for _, a := range env.sandbox.Applications() {
			if a.VacancyID == vacancyID {
				sent = &a
			}
		}
		if sent != nil {
			if strings.TrimSpace(sent.Message) != strings.TrimSpace(letter) {
				t.Errorf("hh got the letter %q, want %q", sent.Message, letter)
			}
			break
		}
		if time.Now().After(deadline) {
			rows, _ := env.store.ListApplications(context.Background(), 1, store.ApplicationFilter{})
			for _, a := range rows {
				if a.VacancyID == vacancyID {
					t.Logf("ledger: %s reason=%q message=%q letter=%d bytes", a.Status, a.Reason, a.Message, len(a.Letter))
				}
			}
			t.Logf("sandbox refusals: %+v", env.sandbox.Refusals())
			t.Fatalf("the sandbox never received the application to %s", vacancyID)
		}
		time.Sleep(300 * time.Millisecond)
	}
	waitFor("/review", fmt.Sprintf(`li[data-vacancy-id=%q][data-status="applied"]`, vacancyID), 30*time.Second)

	// 6. The summary counts it.
	waitFor("/summary", fmt.Sprintf(`li[data-vacancy-id=%q][data-status="applied"]`, vacancyID), 10*time.Second)
	applied := read("read today's count", chromedp.Text(css(`section.card .stat[data-status="applied"] b`)))
	if applied == "" || applied == "0" {
		t.Errorf("today's applied count is %q", applied)
	}

	shot("summary.png")
	run("history", chromedp.Navigate(base+"/applications"), chromedp.WaitVisible(css(`table`)))
	shot("applications.png")
	run("rule form", chromedp.Navigate(base+"/rules/new"), chromedp.WaitVisible(css(`#name`)))
	shot("rule-form.png")
	run("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`.stats`)))
	shot("dashboard.png")
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/review"), chromedp.WaitVisible(css(`main`)))
	shot("review-phone.png")

	// 7. On the phone, professional roles are ticked inside their unfolded
	// category, no script needed; each tick is one professional_role key,
	// in the order the form lists them.
	run("rule with roles",
		chromedp.Navigate(base+"/rules/new"),
		chromedp.SendKeys(css("#name"), "Go и DevOps"),
		chromedp.SetValue(css("#resume_id"), hhUser.Resumes[0].ID),
		chromedp.Click(css(`input[name=enabled]`)), // off: the worker leaves it alone
		chromedp.Click(css(`#professional_role details summary`)),
		chromedp.Click(css(`input[name=professional_role][value="96"]`)),
		chromedp.Click(css(`input[name=professional_role][value="160"]`)),
	)
	shot("rule-form-phone.png")
	run("save rule with roles",
		submit(`form[action="/rules"] button[type=submit]`),
		chromedp.WaitVisible(css(`form[action$="/run"] button`)),
	)
	list, err := env.store.Rules(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if last := list[len(list)-1]; last.Name != "Go и DevOps" || !slices.Equal(last.ProfessionalRoles, []string{"160", "96"}) || last.Enabled {
		t.Errorf("rule saved from the phone: %q roles %q enabled %v", last.Name, last.ProfessionalRoles, last.Enabled)
	}

	// 8–10, on the phone: hh access breaks and changes, and the person
	// always sees why and puts it right (access_browser_test.go).
	accessJourney(t, &journey{env: env, ctx: ctx, base: base, hhUser: hhUser, run: run, read: read, count: count,
		waitFor: waitFor, submit: submit, failed: failed})
}

// chromiumOrSkip is the Chromium a browser test drives: it skips in -short
// mode and where there is none, except in CI, where it fails.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := findChromium()
	if chrome == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is not installed; .ci/run installs Debian's chromium")
		}
		t.Skip("no Chromium on PATH (apt-get install chromium)")
	}
	return chrome
}

// browserContext starts headless Chromium at desktop size for at most
// timeout, closed when the test ends, with the screenshot folder ready.
func browserContext(t *testing.T, chrome string, timeout time.Duration) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000))...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return ctx
}
