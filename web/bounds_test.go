package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// What the issue replayed against a running instance: a rule of ~900 KB
// (fifteen excluded employer ids of 60,000 digits), control characters in
// rule fields, more rules than anyone needs, and a review letter of
// "\x00\x01". Each is refused with a 422 naming the field, the form kept,
// and nothing stored or queued.
func TestInputBounds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)

	huge := validRuleForm(resume)
	for range 15 {
		huge.Add("excluded_employer_id", strings.Repeat("7", 60000))
	}
	r := b.post("/rules/new", "/rules", huge)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "слишком длинное: не больше 32 знаков") {
		t.Errorf("employer ids of 60,000 digits: %d, want 422 naming the field", r.status)
	}
	controls := validRuleForm(resume)
	controls.Set("name", "Go\x00\x01")
	controls.Set("exclude_words", "lead\x1b")
	r = b.post("/rules/new", "/rules", controls)
	if r.status != http.StatusUnprocessableEntity || strings.Count(r.body, "недопустимые символы") < 2 {
		t.Errorf("control characters in the name and words: %d, want 422 beside both fields", r.status)
	}
	if !strings.Contains(r.body, `name="text" value="Go"`) || !strings.Contains(r.body, `name="name" value="Go`) {
		t.Error("the form did not keep what was typed")
	}
	if list, _ := env.store.Rules(ctx, userID); len(list) != 0 {
		t.Fatalf("%d rules stored from refused forms", len(list))
	}

	// Rules per person: 50.
	ruleID := createRule(t, b, validRuleForm(resume))
	for i := 1; i < rules.MaxRulesPerUser; i++ {
		rl := rules.Defaults()
		rl.UserID, rl.Name, rl.ResumeID = userID, fmt.Sprintf("rule %d", i), resume
		if err := env.store.CreateRule(ctx, &rl); err != nil {
			t.Fatal(err)
		}
	}
	r = b.post("/rules/new", "/rules", validRuleForm(resume))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "У вас уже 50 правил") {
		t.Errorf("rule 51: %d, want 422", r.status)
	}
	if list, _ := env.store.Rules(ctx, userID); len(list) != rules.MaxRulesPerUser {
		t.Errorf("%d rules, want %d", len(list), rules.MaxRulesPerUser)
	}

	// A review letter with control characters is not queued for hh.
	item := addReviewItem(t, env, userID, ruleID, resume, env.sandbox.Vacancies()[0].ID, "letter_required")
	r = b.post("/review", fmt.Sprintf("/review/%d/send", item.ID), url.Values{"message": {"Здравствуйте!\x00\x01"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "В письме есть недопустимые символы") {
		t.Errorf("letter with \\x00\\x01: %d, want 422", r.status)
	}
	if a, _ := env.store.Application(ctx, userID, item.ID); a.Status != store.StatusReview {
		t.Errorf("after a refused letter the item is %s, want still review", a.Status)
	}
	if _, sends := env.jobs.counts(); sends != 0 {
		t.Errorf("%d sends queued", sends)
	}
	r = b.post("/review", fmt.Sprintf("/review/%d/send", item.ID), url.Values{"message": {"Здравствуйте!\r\n\r\n\tМой опыт — 5 лет."}})
	if r.status != http.StatusSeeOther {
		t.Errorf("a letter with line breaks and a tab: %d, want 303", r.status)
	}
}
