package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/store"
)

// addRow writes a ledger row with status and reason for a sandbox vacancy.
func addRow(t *testing.T, env *testEnv, userID, ruleID int64, resumeID, vacancyID string, status store.ApplicationStatus, reason, message string) *store.Application {
	t.Helper()
	a := addReviewItem(t, env, userID, ruleID, resumeID, vacancyID, "letter_required")
	ctx := context.Background()
	if status == store.StatusReview {
		return a
	}
	if err := env.store.Requeue(ctx, userID, a.ID, a.Letter); err != nil {
		t.Fatal(err)
	}
	var err error
	switch status {
	case store.StatusQueued:
		if reason != "" {
			err = env.store.Postpone(ctx, userID, a.ID, reason, message)
		}
	case store.StatusFailed:
		err = env.store.MarkFailed(ctx, userID, a.ID, reason, message)
	}
	if err != nil {
		t.Fatal(err)
	}
	a, err = env.store.Application(ctx, userID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Each hh access state shows on the dashboard, the review queue, the rule
// list and page and the history, with what waits and the one action that
// fixes it; «Запустить сейчас» starts nothing and says why.
func TestAccessWarningsWhereThePersonActs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	addRow(t, env, userID, ruleID, resume, vs[0].ID, store.StatusQueued, "", "")
	addRow(t, env, userID, ruleID, resume, vs[1].ID, store.StatusReview, "", "")
	rulePage := fmt.Sprintf("/rules/%d", ruleID)
	pages := []string{"/", "/review", "/rules", rulePage, "/applications"}

	// Connected: no warning anywhere, and run-now starts a run.
	for _, p := range pages {
		if body := b.get(p).body; strings.Contains(body, "data-warning=") {
			t.Errorf("%s warns while connected", p)
		}
	}
	if r := b.post(rulePage, rulePage+"/run", nil); r.status != http.StatusSeeOther || r.location != rulePage {
		t.Fatalf("run now = %d %q", r.status, r.location)
	}
	if runs, _ := env.jobs.counts(); runs != 1 {
		t.Fatalf("runs = %d", runs)
	}

	until := time.Now().Add(3 * time.Hour)
	cases := []struct {
		name    string
		set     func()
		warning string
		says    []string // on every page
		action  string   // the one fix
		flash   string   // after run-now
	}{
		{"captcha", func() {
			must(t, env.store.SetAccountState(ctx, userID, store.AccountCaptcha, env.hhURL+"/account/captcha?state=x&backurl=y", time.Time{}, "captcha_required"))
		}, "captcha", []string{"hh.ru просит капчу.", "Откликов в очереди: 1", "На проверке: 1"},
			`action="/hh/check"`, "Запуск не начат: hh.ru просит капчу."},
		{"limit", func() {
			must(t, env.store.SetAccountState(ctx, userID, store.AccountLimited, "", until, ""))
		}, "limit", []string{"Дневной лимит откликов исчерпан.", formatDateTime(moscow(t), until), "Откликов в очереди: 1"},
			"", "Запуск не начат: дневной лимит откликов hh.ru исчерпан."},
		{"reconnect", func() {
			must(t, env.store.SetAccountState(ctx, userID, store.AccountReconnect, "", time.Time{}, "invalid_grant"))
		}, "reconnect", []string{"Доступ к hh.ru потерян.", "Откликов в очереди: 1"},
			`<a class="button" href="/hh/connect">Подключить заново</a>`, "Запуск не начат: hh.ru больше не принимает наш ключ доступа."},
		{"disconnected", func() {
			if r := b.post("/", "/hh/disconnect", nil); r.status != http.StatusSeeOther {
				t.Fatalf("disconnect = %d", r.status)
			}
		}, "disconnected", []string{"hh.ru не подключён.", "Откликов в очереди: 1"},
			`<a class="button" href="/hh/connect">Подключить hh.ru</a>`, "Запуск не начат: hh.ru не подключён."},
	}
	for _, c := range cases {
		c.set()
		for _, p := range pages {
			body := b.get(p).body
			warn := between(body, `data-warning="`+c.warning+`"`, "</div>")
			if warn == "" {
				t.Errorf("%s: %s shows no data-warning=%q", c.name, p, c.warning)
				continue
			}
			for _, want := range c.says {
				if !strings.Contains(warn, want) {
					t.Errorf("%s: %s's warning lacks %q:\n%s", c.name, p, want, warn)
				}
			}
			if c.action != "" && !strings.Contains(body, c.action) {
				t.Errorf("%s: %s lacks the fix %q", c.name, p, c.action)
			}
		}
		r := b.post(rulePage, rulePage+"/run", nil)
		if r.status != http.StatusSeeOther || r.location != rulePage {
			t.Fatalf("%s: run now = %d %q", c.name, r.status, r.location)
		}
		landed := b.get(r.location).body
		if !strings.Contains(landed, c.flash) || !strings.Contains(landed, `data-warning="`+c.warning+`"`) {
			t.Errorf("%s: the page run-now lands on lacks %q or the warning", c.name, c.flash)
		}
		if runs, _ := env.jobs.counts(); runs != 1 {
			t.Errorf("%s: run-now started a run while access is down (%d runs)", c.name, runs)
		}
		// Queued rows that wait without a reason of their own say why.
		hist := b.get("/applications?status=queued").body
		if !strings.Contains(between(hist, "<tbody>", "</tbody>"), "hh.ru") {
			t.Errorf("%s: the queued row does not say why it waits:\n%s", c.name, between(hist, "<tbody>", "</tbody>"))
		}
	}

	// A brand-new person is not warned: they just see «Подключить hh.ru».
	nb := env.browser()
	nb.register("new@example.com", "good password 1")
	if strings.Contains(nb.get("/").body, "data-warning=") {
		t.Error("a new person with nothing set up is warned")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A rule stays editable while hh is disconnected: its resume is kept.
func TestRuleEditableWhileDisconnected(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	form := validRuleForm(resume)
	ruleID := createRule(t, b, form)
	if r := b.post("/", "/hh/disconnect", nil); r.status != http.StatusSeeOther {
		t.Fatalf("disconnect = %d", r.status)
	}
	page := fmt.Sprintf("/rules/%d", ruleID)
	body := b.get(page).body
	if !strings.Contains(body, fmt.Sprintf(`<option value="%s" selected>`, resume)) {
		t.Errorf("the rule form does not keep the resume:\n%s", between(body, `id="resume_id"`, "</select>"))
	}
	if strings.Contains(body, "Нет опубликованных резюме") {
		t.Error("the rule form blames unpublished resumes while hh is disconnected")
	}
	form.Set("name", "Переименовано")
	if r := b.post(page, page, form); r.status != http.StatusSeeOther {
		t.Fatalf("save while disconnected = %d\n%s", r.status, between(r.body, "error-box", "</form>"))
	}
	rule, err := env.store.Rule(context.Background(), userID, ruleID)
	if err != nil || rule.Name != "Переименовано" || rule.ResumeID != resume {
		t.Errorf("saved rule %q with resume %q (%v)", rule.Name, rule.ResumeID, err)
	}
}

// «Это не вы?» warns before switching; after another hh person connects,
// the rules whose resume is gone are marked and ask for a new resume.
func TestSwitchHHPerson(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	addRow(t, env, userID, ruleID, resume, vs[0].ID, store.StatusQueued, "", "")

	r := b.get("/hh/connect?force_login=1")
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-page="hh-switch"`) {
		t.Fatalf("«Это не вы?» while connected = %d, want the warning page", r.status)
	}
	for _, want := range []string{env.applicant(0).FirstName, "Отклики в очереди (1)", "правила, чьих резюме нет у нового аккаунта",
		`href="/hh/connect?force_login=1&amp;confirm=1"`} {
		if !strings.Contains(strings.ReplaceAll(r.body, "отклики в очереди", "Отклики в очереди"), want) {
			t.Errorf("the switch page lacks %q", want)
		}
	}
	r = b.get("/hh/connect?force_login=1&confirm=1")
	if loc, _ := url.Parse(r.location); r.status != http.StatusFound || loc.Query().Get("force_login") != "true" {
		t.Fatalf("confirmed switch = %d %q", r.status, r.location)
	}

	other := env.applicant(1)
	r = b.connectHH(other.ID, true)
	if r.status != http.StatusSeeOther {
		t.Fatalf("connect another person = %d", r.status)
	}
	dash := b.get("/").body
	if !strings.Contains(dash, "Подключён другой аккаунт hh.ru") {
		t.Error("no word that another hh person is connected")
	}
	notice := between(dash, `data-notice="resume_gone"`, "</div>")
	if !strings.Contains(notice, fmt.Sprintf(`href="/rules/%d#resume_id"`, ruleID)) {
		t.Errorf("the dashboard does not ask for a new resume:\n%s", notice)
	}
	if !strings.Contains(b.get("/rules").body, `data-rule-warning="resume_gone"`) {
		t.Error("the rule list does not mark the rule")
	}
	rulePage := b.get(fmt.Sprintf("/rules/%d", ruleID)).body
	if !strings.Contains(rulePage, `data-rule-warning="resume_gone"`) || !strings.Contains(rulePage, fmt.Sprintf(`<option value="%s" selected>`, resume)) {
		t.Error("the rule page does not mark the gone resume and keep it chosen")
	}
	rr := fmt.Sprintf("/rules/%d", ruleID)
	if r := b.post(rr, rr+"/run", nil); !strings.Contains(b.get(r.location).body, "резюме этого правила нет") {
		t.Error("run-now with a gone resume does not say why nothing runs")
	}
	// The queued row is neither failed nor sent by the web.
	if a, _ := env.store.Application(context.Background(), userID, 1); a != nil && a.Status != store.StatusQueued {
		t.Errorf("queued row is %s after the switch", a.Status)
	}
}

// A failed application says in the person's language what hh refused,
// keeps hh's words under «подробности» and offers «Повторить» where a retry
// can succeed.
func TestFailedApplicationExplainedAndRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	raw := "hh: apply: 403 Forbidden: negotiations/resume_visibility_conflict (request_id 42)"
	retryable := addRow(t, env, userID, ruleID, resume, vs[0].ID, store.StatusFailed, "hh_error", raw)
	gone := addRow(t, env, userID, ruleID, resume, vs[1].ID, store.StatusFailed, "vacancy_gone", "hh: apply: 403 Forbidden: negotiations/invalid_vacancy")

	page := b.get("/applications").body
	row := between(page, `data-vacancy-id="`+vs[0].ID+`"`, "</tr>")
	if !strings.Contains(row, "Вакансия анонимная, а резюме видно только выбранным компаниям") {
		t.Errorf("the refusal is not explained:\n%s", row)
	}
	if !strings.Contains(row, "<summary>подробности</summary>") || !strings.Contains(between(row, "<summary>подробности</summary>", "</details>"), "resume_visibility_conflict") {
		t.Errorf("hh's words are not folded under «подробности»:\n%s", row)
	}
	if !strings.Contains(row, fmt.Sprintf(`action="/applications/%d/retry"`, retryable.ID)) {
		t.Error("no «Повторить» for a refusal a retry can overcome")
	}
	goneRow := between(page, `data-vacancy-id="`+vs[1].ID+`"`, "</tr>")
	if strings.Contains(goneRow, "/retry") {
		t.Error("«Повторить» offered for a vacancy that is gone")
	}
	if en := b.get("/applications?lang=en").body; strings.Contains(en, "Вакансия анонимная") {
		// ?lang only applies signed out; the person's language is a setting.
		_ = en
	}

	r := b.post("/applications", fmt.Sprintf("/applications/%d/retry", retryable.ID), url.Values{"next": {"/applications?status=failed"}})
	if r.status != http.StatusSeeOther || r.location != "/applications?status=failed" {
		t.Fatalf("retry = %d %q", r.status, r.location)
	}
	if a, _ := env.store.Application(ctx, userID, retryable.ID); a.Status != store.StatusQueued || a.Message != "" {
		t.Errorf("after retry: %s %q", a.Status, a.Message)
	}
	if _, sends := env.jobs.counts(); sends != 1 {
		t.Errorf("retry enqueued %d sends", sends)
	}
	b.post("/applications", fmt.Sprintf("/applications/%d/retry", gone.ID), nil)
	if a, _ := env.store.Application(ctx, userID, gone.ID); a.Status != store.StatusFailed {
		t.Errorf("a gone vacancy was retried: %s", a.Status)
	}
	// Another person cannot retry this person's rows.
	ob := env.browser()
	ob.register("b@example.com", "good password 1")
	if r := ob.post("/", fmt.Sprintf("/applications/%d/retry", gone.ID), nil); r.status != http.StatusNotFound {
		t.Errorf("another person's retry = %d, want 404", r.status)
	}
	// A retry without the CSRF token changes nothing.
	if r := b.postRaw(fmt.Sprintf("/applications/%d/retry", gone.ID), url.Values{}, nil); r.status != http.StatusForbidden {
		t.Errorf("retry without csrf = %d", r.status)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/review": "/review", "/applications?status=failed": "/applications?status=failed",
		"//evil.example": "/", "https://evil.example": "/", "/\\evil": "/", "review": "/", "/a/../b": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func moscow(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
