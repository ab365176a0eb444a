package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/ai/aitest"
	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

func withAI(d *Deps) {
	d.Config.AI = config.AIConfig{BaseURL: "http://127.0.0.1:1/v1", Model: "m", DailyTokens: 200000}
}

// Without AI_BASE_URL nothing about AI shows; with it, /settings shows the
// tokens the person spent today against the cap.
func TestSettingsShowsAITokens(t *testing.T) {
	off := newTestEnv(t).browser()
	off.register("noai@example.com", "correct horse battery")
	if body := off.get("/settings").body; strings.Contains(body, `id="ai"`) {
		t.Error("/settings shows the AI section without AI_BASE_URL")
	}

	env := newTestEnv(t, withAI)
	b := env.browser()
	u := b.register("ai@example.com", "correct horse battery")
	if ok, err := env.store.ReserveAITokens(context.Background(), u.ID, ai.Day(time.Now(), locale.Zone("Europe/Moscow")), 1234, 200000); err != nil || !ok {
		t.Fatal(ok, err)
	}
	body := b.get("/settings").body
	if !strings.Contains(body, `data-ai-tokens="1234"`) || !strings.Contains(body, "1 234 из 200 000") {
		t.Errorf("/settings does not show 1 234 of 200 000 tokens:\n%s", body)
	}
}

// The AI fields show only with a model configured; with one they are saved,
// and AI letters without a template or screening without criteria get a
// 422 naming the field, keeping what was typed.
func TestRuleFormAIFields(t *testing.T) {
	off := newTestEnv(t)
	b, _, _ := signedInWithHH(t, off, "noai@example.com", 0)
	if body := b.get("/rules/new").body; strings.Contains(body, `name="letter_source"`) || strings.Contains(body, `name="ai_criteria"`) {
		t.Error("the rule form shows AI fields without AI_BASE_URL")
	}

	env := newTestEnv(t, withAI)
	b, userID, resume := signedInWithHH(t, env, "ai@example.com", 0)
	if body := b.get("/rules/new").body; !strings.Contains(body, `name="letter_source"`) || !strings.Contains(body, `name="ai_criteria"`) {
		t.Error("the rule form hides the AI fields with AI configured")
	}
	form := validRuleForm(resume)
	form.Set("letter_source", "ai")
	form.Set("ai_screen", "on")
	r := b.post("/rules/new", "/rules", form)
	if r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Чтобы письма писал ИИ, нужен шаблон") || !strings.Contains(r.body, "Опишите, что вам подходит") ||
		!strings.Contains(r.body, `value="ai" checked`) {
		t.Fatalf("AI without template and criteria = %d\n%s", r.status, r.body)
	}
	form.Set("letter_template", "Здравствуйте! Интересна вакансия {vacancy}.")
	form.Set("ai_criteria", "Только удалёнка")
	id := createRule(t, b, form)
	rule, err := env.store.Rule(context.Background(), userID, id)
	if err != nil {
		t.Fatal(err)
	}
	if !rule.LettersByAI() || !rule.ScreensByAI() || rule.AICriteria != "Только удалёнка" {
		t.Errorf("saved rule: %+v", rule.Rule)
	}
}

// The review page marks letters AI wrote and offers «Переписать»: a POST
// (CSRF, the person's own item only) that puts the model's new draft in
// place; a failing model keeps the old draft and says so.
func TestReviewRewriteWithAI(t *testing.T) {
	fake := aitest.New(func(aitest.Request) aitest.Answer {
		return aitest.Answer{Content: "Здравствуйте! Новый черновик от модели."}
	})
	defer fake.Close()
	env := newTestEnv(t, func(d *Deps) {
		withAI(d)
		d.AI = ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: 100000}, d.Store)
	})
	b, userID, resume := signedInWithHH(t, env, "ai@example.com", 0)
	form := validRuleForm(resume)
	form.Set("letter_source", "ai")
	form.Set("letter_template", "Здравствуйте! Интересна вакансия {vacancy}.")
	ruleID := createRule(t, b, form)
	vacancyID := env.sandbox.Vacancies()[0].ID
	item := addReviewItem(t, env, userID, ruleID, resume, vacancyID, "letter_required")
	if err := env.store.RewriteReviewLetter(context.Background(), userID, item.ID, "Черновик ИИ.", store.LetterByAI); err != nil {
		t.Fatal(err)
	}
	body := b.get("/review").body
	if !strings.Contains(body, `data-letter-by="ai"`) || !strings.Contains(body, `action="/review/`+itoa(item.ID)+`/rewrite"`) {
		t.Fatalf("/review does not mark the AI letter or offer a rewrite:\n%s", body)
	}

	stranger, _, _ := signedInWithHH(t, env, "other@example.com", 1)
	if r := stranger.post("/review", "/review/"+itoa(item.ID)+"/rewrite", nil); r.status != http.StatusNotFound {
		t.Errorf("another person's rewrite = %d, want 404", r.status)
	}
	if fake.Calls() != 0 {
		t.Errorf("another person's rewrite asked the model")
	}

	r := b.post("/review", "/review/"+itoa(item.ID)+"/rewrite", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("rewrite = %d", r.status)
	}
	a, err := env.store.Application(context.Background(), userID, item.ID)
	if err != nil || a.Letter != "Здравствуйте! Новый черновик от модели." || a.LetterBy != store.LetterByAI || a.Status != store.StatusReview {
		t.Errorf("after the rewrite: %+v, %v", a, err)
	}
	if req := fake.Requests()[0]; !strings.Contains(req.User, "Здравствуйте! Интересна вакансия") {
		t.Errorf("the rewrite's prompt lacks the template's letter:\n%s", req.User)
	}

	fake.SetScript(func(aitest.Request) aitest.Answer { return aitest.Answer{Status: 500} })
	b.post("/review", "/review/"+itoa(item.ID)+"/rewrite", nil)
	if body := b.get("/review").body; !strings.Contains(body, "черновик остался прежним") {
		t.Errorf("a failed rewrite does not say so")
	}
	if a, _ := env.store.Application(context.Background(), userID, item.ID); a.Letter != "Здравствуйте! Новый черновик от модели." {
		t.Errorf("a failed rewrite changed the draft to %q", a.Letter)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// When the person's daily AI tokens are spent, the dashboard says so.
func TestDashboardSaysAICapSpent(t *testing.T) {
	env := newTestEnv(t, withAI)
	b := env.browser()
	u := b.register("cap@example.com", "correct horse battery")
	if body := b.get("/").body; strings.Contains(body, `data-warning="ai_cap"`) {
		t.Error("the dashboard warns of a cap nothing was spent of")
	}
	if ok, err := env.store.ReserveAITokens(context.Background(), u.ID, ai.Day(time.Now(), locale.Zone("Europe/Moscow")), 200000, 200000); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if body := b.get("/").body; !strings.Contains(body, `data-warning="ai_cap"`) || !strings.Contains(body, "лимит токенов ИИ исчерпан") {
		t.Error("the dashboard does not say the AI cap is spent")
	}
}

// The preview shows the model's verdicts (a mismatch with its words) and
// writes no letters; the verdicts are kept, so a second preview asks nothing.
func TestPreviewShowsAIVerdicts(t *testing.T) {
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		if strings.Contains(r.System, "You screen") {
			return aitest.Answer{Content: `{"match": false, "reason": "Нет удалёнки"}`}
		}
		t.Error("the preview asked the model for a letter")
		return aitest.Answer{Content: "письмо"}
	})
	defer fake.Close()
	env := newTestEnv(t, func(d *Deps) {
		withAI(d)
		d.AI = ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "m", DailyTokens: 10_000_000}, d.Store)
	})
	b, _, resume := signedInWithHH(t, env, "preview@example.com", 0)
	form := validRuleForm(resume)
	form.Set("mode", "auto")
	form.Set("letter_source", "ai")
	form.Set("letter_template", "Здравствуйте! Интересна вакансия {vacancy}.")
	form.Set("ai_screen", "on")
	form.Set("ai_criteria", "Только удалёнка")
	id := createRule(t, b, form)
	r := b.get("/rules/" + itoa(id) + "/preview")
	if r.status != http.StatusOK || !strings.Contains(r.body, "ИИ счёл, что вакансия не подходит под ваши критерии: «Нет удалёнки»") {
		t.Fatalf("preview = %d, without the model's verdict:\n%s", r.status, r.body)
	}
	if regexp.MustCompile(`data-vacancy-id="[^"]*" data-action="apply"`).MatchString(r.body) {
		t.Error("the preview would apply to a vacancy the model rejected")
	}
	calls := fake.Calls()
	if calls == 0 {
		t.Fatal("the model was not asked")
	}
	b.get("/rules/" + itoa(id) + "/preview")
	if fake.Calls() != calls {
		t.Errorf("a second preview asked the model %d more times", fake.Calls()-calls)
	}
}

// History says what became of the AI for a row: a day of model failures,
// a spent cap, a letter that failed a check.
func TestHistoryShowsAINotes(t *testing.T) {
	env := newTestEnv(t, withAI)
	b := env.browser()
	u := b.register("notes@example.com", "correct horse battery")
	for i, note := range []string{store.AINoteGaveUp, store.AINoteCapSpent} {
		a := &store.Application{UserID: u.ID, ResumeID: "r1", VacancyID: fmt.Sprint(900 + i), Status: store.StatusApplied,
			AINote: note, VacancySnapshot: store.VacancySnapshot{VacancyName: "Go " + note}}
		if _, err := env.store.InsertApplication(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	body := b.get("/applications").body
	for _, want := range []string{`data-ai-note="gave_up"`, "Модель ИИ не отвечала сутки", `data-ai-note="cap_spent"`, "дневной лимит токенов исчерпан"} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
}
