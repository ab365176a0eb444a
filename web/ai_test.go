package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/config"
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
	if ok, err := env.store.ReserveAITokens(context.Background(), u.ID, ai.Day(time.Now()), 1234, 200000); err != nil || !ok {
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
