package web

import (
	"context"
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
