package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/store"
)

// Deleting a rule and disconnecting hh take a second step, with no script:
// the buttons lead to a page that says what happens, whose form does it.
func TestDeleteAndDisconnectAskFirst(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	rulePage := fmt.Sprintf("/rules/%d", ruleID)

	if !strings.Contains(b.get(rulePage).body, fmt.Sprintf(`href="/rules/%d/delete"`, ruleID)) {
		t.Fatal("the rule page has no link to the delete confirmation")
	}
	r := b.get(rulePage + "/delete")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Удалить правило?") ||
		!strings.Contains(r.body, fmt.Sprintf(`<form method="post" action="/rules/%d/delete"`, ruleID)) {
		t.Fatalf("delete confirmation = %d\n%s", r.status, r.body)
	}
	if _, err := env.store.Rule(ctx, userID, ruleID); err != nil {
		t.Fatal("opening the confirmation deleted the rule")
	}
	if r := b.post(rulePage+"/delete", rulePage+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("confirmed delete = %d", r.status)
	}
	if _, err := env.store.Rule(ctx, userID, ruleID); err == nil {
		t.Error("the rule is still there after the confirmed delete")
	}

	if !strings.Contains(b.get("/").body, `href="/hh/disconnect"`) {
		t.Fatal("the dashboard has no link to the disconnect confirmation")
	}
	r = b.get("/hh/disconnect")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Отключить hh.ru?") || !strings.Contains(r.body, `action="/hh/disconnect"`) {
		t.Fatalf("disconnect confirmation = %d", r.status)
	}
	if _, err := env.store.HHAccountState(ctx, userID); err != nil {
		t.Fatal("opening the confirmation disconnected hh")
	}
	if r := b.post("/hh/disconnect", "/hh/disconnect", nil); r.status != http.StatusSeeOther {
		t.Fatalf("confirmed disconnect = %d", r.status)
	}
	if _, err := env.store.HHAccountState(ctx, userID); err == nil {
		t.Error("still connected after the confirmed disconnect")
	}
	// Another person's rule has no confirmation page either.
	if r := env.browser().get(rulePage + "/delete"); r.status != http.StatusSeeOther {
		t.Errorf("signed-out confirmation = %d", r.status)
	}
}

// After signing in the person lands on the page they asked for; a link
// that names another site lands on the dashboard.
func TestSignInLandsOnThePageAskedFor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("a@example.com", "good password 1")
	if r := b.post("/", "/logout", nil); r.status != http.StatusSeeOther {
		t.Fatal("logout failed")
	}
	r := b.get("/review?x=1")
	if r.status != http.StatusSeeOther || r.location != "/login?next=%2Freview%3Fx%3D1" {
		t.Fatalf("signed-out /review = %d %q", r.status, r.location)
	}
	page := b.get(r.location)
	if !strings.Contains(page.body, `name="next" value="/review?x=1"`) {
		t.Fatalf("the sign-in form does not carry next:\n%s", page.body)
	}
	form := url.Values{"email": {"a@example.com"}, "password": {"good password 1"}, "next": {"/review?x=1"}}
	if r := b.post(r.location, "/login", form); r.status != http.StatusSeeOther || r.location != "/review?x=1" {
		t.Errorf("sign-in with next = %d %q", r.status, r.location)
	}
	b.post("/", "/logout", nil)
	form.Set("next", "//evil.example/")
	if r := b.post("/login", "/login", form); r.location != "/" {
		t.Errorf("sign-in with a foreign next lands on %q", r.location)
	}
}

// «Готово, убрать» on an employer's-site item records that the person
// applied there, and the «на сайте работодателя» counter counts it.
func TestEmployerSiteDoneIsCounted(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	a := addReviewItem(t, env, userID, ruleID, resume, vs[0].ID, "letter_required")
	must(t, env.store.Requeue(ctx, userID, a.ID, ""))
	must(t, env.store.MarkExternal(ctx, userID, a.ID, "direct", "https://employer.example/apply"))

	r := b.post("/review", fmt.Sprintf("/review/%d/dismiss", a.ID), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("done = %d", r.status)
	}
	got, _ := env.store.Application(ctx, userID, a.ID)
	if got.Status != store.StatusSkipped || got.Reason != "applied_on_site" {
		t.Errorf("after «Готово»: %s %s", got.Status, got.Reason)
	}
	review := b.get("/review").body
	if !strings.Contains(review, "Отмечено: вы откликнулись на сайте работодателя.") {
		t.Error("no word that the employer's-site application is noted")
	}
	dash := b.get("/").body
	if n := between(dash, `data-status="external"><b>`, "</b>"); !strings.HasSuffix(n, ">1") {
		t.Errorf("the «на сайте работодателя» counter = %q, want 1", n)
	}
}

// With no SMTP configured the summary e-mail option says the mail would
// never come, and an address is refused with a reason; with SMTP it saves.
func TestSummaryEmailNeedsSMTP(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	page := b.get("/settings").body
	if !strings.Contains(page, `data-notice="no_smtp"`) || !strings.Contains(between(page, `id="summary_email"`, ">"), "disabled") {
		t.Error("the settings page does not say there is no mail, or the field is not disabled")
	}
	form := url.Values{"language": {"ru"}, "time_zone": {"Europe/Moscow"}, "summary_hour": {"20"}, "summary_email": {"me@example.com"}}
	r := b.post("/settings", "/settings", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "почта не настроена") {
		t.Errorf("an address with no SMTP = %d", r.status)
	}
	if got, _ := env.store.User(context.Background(), u.ID); got.SummaryEmail != "" {
		t.Errorf("saved %q with no SMTP", got.SummaryEmail)
	}

	mail := newTestEnv(t, func(d *Deps) { d.Config.SMTPURL, d.Config.MailFrom = "smtp://localhost:2525", "otklik@example.com" })
	mb := mail.browser()
	mu := mb.register("b@example.com", "good password 1")
	if strings.Contains(mb.get("/settings").body, `data-notice="no_smtp"`) {
		t.Error("says there is no mail while SMTP is configured")
	}
	if r := mb.post("/settings", "/settings", form); r.status != http.StatusSeeOther {
		t.Errorf("an address with SMTP = %d", r.status)
	}
	if got, _ := mail.store.User(context.Background(), mu.ID); got.SummaryEmail != "me@example.com" {
		t.Errorf("saved %q with SMTP", got.SummaryEmail)
	}
}

// The rule form's «Искать эти слова и в описании» is saved and shown again.
func TestRuleExcludeWordsInDescriptionOption(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	form := validRuleForm(resume)
	form.Set("exclude_words", "1С")
	form.Set("exclude_words_in_description", "on")
	id := createRule(t, b, form)
	rule, err := env.store.Rule(context.Background(), userID, id)
	if err != nil || !rule.ExcludeWordsInDescription {
		t.Fatalf("saved rule matches the description: %v (%v)", rule.ExcludeWordsInDescription, err)
	}
	if !strings.Contains(b.get(fmt.Sprintf("/rules/%d", id)).body, `name="exclude_words_in_description" checked`) {
		t.Error("the form does not show the option as saved")
	}
}
