package web

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	for _, p := range []string{"/login", "/nowhere", "/static/style.css"} {
		r := b.get(p)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
			"frame-ancestors 'none'", "form-action 'self' " + env.hhURL} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", p)
		}
		if got := r.header.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q", p, got)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", p, got)
		}
	}
}

// No template may carry inline script or style: the CSP would block it.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	t.Parallel()
	bad := regexp.MustCompile(`(?i)<script|\sstyle=|\son[a-z]+=|javascript:`)
	fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(embedded, p)
		if loc := bad.FindIndex(b); loc != nil {
			t.Errorf("%s: inline code %q", p, b[loc[0]:loc[1]])
		}
		return nil
	})
}

func TestBrokenTemplateFailsNew(t *testing.T) {
	t.Parallel()
	good := fstest.MapFS{}
	fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(embedded, p)
			good[strings.TrimPrefix(p, "templates/")] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	env := newTestEnv(t) // a working Deps to copy
	base := Deps{Config: env.cfg, Store: env.store, Redis: env.deps.Redis, OAuth: env.oauth, HHAccess: storeHHAccess{env.store, env.oauth}, Jobs: env.jobs}

	base.Templates = good
	if _, err := New(base); err != nil {
		t.Fatalf("New with the embedded templates copied: %v", err)
	}
	cases := map[string]string{
		"does not parse":   `{{define "title"}}x{{end}}{{define "content"}}{{if}}{{end}}`,
		"unknown function": `{{define "title"}}x{{end}}{{define "content"}}{{nosuchfunc .}}{{end}}`,
		"does not escape":  `{{define "title"}}x{{end}}{{define "content"}}<a href="{{.Lang}}>{{end}}`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			broken := fstest.MapFS{}
			for k, v := range good {
				broken[k] = v
			}
			broken["pages/broken.html"] = &fstest.MapFile{Data: []byte(src)}
			base.Templates = broken
			if _, err := New(base); err == nil {
				t.Error("New accepted a broken template")
			}
		})
	}
}

// Every key a template or handler uses exists (locale's own test checks
// that each has both languages).
func TestMessagesComplete(t *testing.T) {
	t.Parallel()
	used := regexp.MustCompile(`\bt "([a-z_]+\.[a-z_.]+)"`)
	fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(embedded, p)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !locale.Has("ru", m[1]) {
				t.Errorf("%s uses unknown key %s", p, m[1])
			}
		}
		return nil
	})
	for _, st := range store.Statuses {
		for _, prefix := range []string{"status.", "count."} {
			if !locale.Has("ru", prefix+string(st)) {
				t.Errorf("no %s label for status %s", prefix, st)
			}
		}
	}
	for _, key := range flashes {
		if !locale.Has("ru", key) {
			t.Errorf("flash %s has no text", key)
		}
	}
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"Опыт <highlighttext>Go</highlighttext> от 3 лет":            "Опыт <mark>Go</mark> от 3 лет",
		"<script>alert(1)</script> <highlighttext>x</highlighttext>": "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>",
		"<highlighttext>open":                                    "<mark>open</mark>",
		"</highlighttext>stray <b>":                              "stray &lt;b&gt;",
		`a "quote" & <highlighttext onclick=x>y</highlighttext>`: "a &#34;quote&#34; &amp; &lt;highlighttext onclick=x&gt;y",
		"salary < 100":                                           "salary &lt; 100",
	}
	for in, want := range cases {
		if got := string(highlight(in)); got != want {
			t.Errorf("highlight(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSandboxBanner(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t) // HH_CLIENT_ID unset: sandbox mode
	if !strings.Contains(env.browser().get("/login").body, "Песочница: это не настоящий hh.ru") {
		t.Error("no sandbox banner in sandbox mode")
	}
	real := newTestEnv(t, func(d *Deps) { d.Config.HHClientID, d.Config.HHClientSecret = "id", "secret" })
	if strings.Contains(real.browser().get("/login").body, "Песочница") {
		t.Error("sandbox banner against the real hh")
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	if !strings.Contains(b.get("/login").body, "Вход") {
		t.Error("not Russian by default")
	}
	if r := b.get("/login?lang=en"); !strings.Contains(r.body, "Sign in") || !strings.Contains(r.body, `lang="en"`) {
		t.Error("?lang=en does not switch to English")
	}
	if !strings.Contains(b.get("/register").body, "Sign up") {
		t.Error("the language choice is not remembered")
	}
	// Signing up keeps the language chosen before it, as the user's setting.
	if u := b.register("a@example.com", "good password 1"); u.Language != "en" {
		t.Errorf("signed up in English, language setting %q", u.Language)
	}
	if !strings.Contains(b.get("/").body, "Home") {
		t.Error("signed up in English, landed on a dashboard not in English")
	}
	// Signed in, the user's setting wins over ?lang= and the cookie.
	if !strings.Contains(b.get("/?lang=ru").body, "Home") {
		t.Error("the user's language (en) does not win over ?lang=ru")
	}
	r := b.post("/settings", "/settings", url.Values{"language": {"ru"}, "time_zone": {"Asia/Novosibirsk"}, "summary_hour": {"8"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save settings = %d\n%s", r.status, r.body)
	}
	if !strings.Contains(b.get("/").body, "Главная") {
		t.Error("Russian not used after choosing it")
	}

	// Someone who never switched signs up in Russian.
	if u := env.browser().register("b@example.com", "good password 1"); u.Language != "ru" {
		t.Errorf("signed up without choosing, language setting %q", u.Language)
	}
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	for _, form := range []url.Values{
		{"language": {"de"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"20"}},
		{"language": {"ru"}, "time_zone": {"Mars/Olympus"}, "summary_hour": {"20"}},
		{"language": {"ru"}, "time_zone": {"Local"}, "summary_hour": {"20"}},
		{"language": {"ru"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"24"}},
		{"language": {"ru"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"20"}, "summary_email": {"nope"}},
	} {
		r := b.post("/settings", "/settings", form)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v = %d, want 422", form, r.status)
		}
		if tz := form.Get("time_zone"); !strings.Contains(r.body, `value="`+tz+`"`) {
			t.Errorf("%v: the time zone typed is not kept", form)
		}
	}
	got, _ := env.store.User(context.Background(), u.ID)
	if got.TimeZone != "Europe/Moscow" || got.SummaryHour != 20 {
		t.Errorf("settings changed by invalid posts: %s %d", got.TimeZone, got.SummaryHour)
	}
}

func TestDashboardWarnings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, _ := signedInWithHH(t, env, "a@example.com", 0)

	env.store.SetAccountState(ctx, userID, store.AccountCaptcha, "https://hh.ru/account/captcha?key=1", time.Time{}, "")
	if body := b.get("/").body; !strings.Contains(body, `data-warning="captcha"`) || !strings.Contains(body, `href="https://hh.ru/account/captcha?key=1"`) {
		t.Error("no captcha warning with its link")
	}
	until := time.Now().Add(3 * time.Hour)
	env.store.SetAccountState(ctx, userID, store.AccountLimited, "", until, "")
	if body := b.get("/").body; !strings.Contains(body, `data-warning="limit"`) || !strings.Contains(body, until.In(mustLoc("Europe/Moscow")).Format("15:04")) {
		t.Error("no limit warning with its time")
	}
	env.store.SetAccountState(ctx, userID, store.AccountReconnect, "", time.Time{}, "")
	if body := b.get("/").body; !strings.Contains(body, `data-warning="reconnect"`) || !strings.Contains(body, `href="/hh/connect"`) {
		t.Error("no reconnect warning")
	}
	if body := b.get("/review").body; !strings.Contains(body, `data-warning="reconnect"`) {
		t.Error("review page hides the reconnect warning")
	}
}

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestSummaryPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	applied := &store.Application{UserID: userID, RuleID: ruleID, ResumeID: resume, VacancyID: vs[0].ID, Status: store.StatusApplied,
		VacancySnapshot: store.VacancySnapshot{VacancyName: "Go разработчик", EmployerName: "Acme"}}
	env.store.InsertApplication(ctx, applied)
	skipped := &store.Application{UserID: userID, RuleID: ruleID, ResumeID: resume, VacancyID: vs[1].ID, Status: store.StatusSkipped, Reason: "excluded_word"}
	env.store.InsertApplication(ctx, skipped)
	env.store.SaveSummary(ctx, &store.Summary{UserID: userID, Day: "2020-01-02", Content: `{"Day":"2020-01-02","Counts":{"applied":7}}`, Text: "x"})
	env.store.SaveSummary(ctx, &store.Summary{UserID: userID, Day: "2020-01-01", Content: `not json`, Text: "Итог дня: 3 отклика"})

	body := b.get("/summary").body
	today := between(body, "<h2>Сегодня", "</section>")
	if !strings.Contains(today, `data-vacancy-id="`+vs[0].ID+`" data-status="applied"`) {
		t.Error("today's applied vacancy not listed")
	}
	if !strings.Contains(today, "В названии вакансии есть слово из ваших исключений: 1") {
		t.Error("today's skips by reason not listed")
	}
	if !strings.Contains(body, "02.01.2020") || !strings.Contains(body, "отправлено: 7") {
		t.Error("a stored summary is missing")
	}
	if !strings.Contains(body, "Итог дня: 3 отклика") {
		t.Error("a stored summary without data does not fall back to its text")
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	if r := b.get("/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz = %d", r.status)
	}
	if r := b.get("/readyz"); r.status != http.StatusOK {
		t.Errorf("/readyz = %d", r.status)
	}
}

// The summary's account warnings carry the way out, as the dashboard's do:
// the captcha page, or connecting again.
func TestSummaryWarningsLink(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, _ := signedInWithHH(t, env, "a@example.com", 0)

	const captcha = "https://hh.ru/account/captcha?key=1"
	env.store.SetAccountState(ctx, userID, store.AccountCaptcha, captcha, time.Time{}, "")
	body := b.get("/summary").body
	warning := regexp.MustCompile(`(?s)<p class="warning" data-warning="captcha">.*?</p>`).FindString(body)
	if warning == "" || !strings.Contains(warning, `href="`+captcha+`"`) || !strings.Contains(warning, "Решить капчу на hh.ru") {
		t.Errorf("summary's captcha warning has no captcha link: %q", warning)
	}
	b.post("/settings", "/settings", url.Values{"language": {"en"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"8"}})
	if body := b.get("/summary").body; !strings.Contains(body, "Solve the captcha on hh.ru") {
		t.Error("the captcha link is not in English")
	}

	env.store.SetAccountState(ctx, userID, store.AccountReconnect, "", time.Time{}, "")
	body = b.get("/summary").body
	warning = regexp.MustCompile(`(?s)<p class="warning" data-warning="reconnect">.*?</p>`).FindString(body)
	if warning == "" || !strings.Contains(warning, `/hh/connect"`) {
		t.Errorf("summary's reconnect warning has no link to connect again: %q", warning)
	}
}
