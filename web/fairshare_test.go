package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// One preview per person per 10 seconds reaches hh: looking at the same
// preview again is served from the cache, a changed rule within the 10
// seconds is told to wait (429, Retry-After, "Подождите N с"), and another
// person is not held up.
func TestPreviewFairShare(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	anna := env.browser()
	u := anna.register("anna@example.com", "anna's long password")
	anna.connectHH(env.applicant(0).ID, true)
	form := validRuleForm(publishedResume(t, env, u.ID))
	form.Del("area")
	r := anna.post("/rules/new", "/rules", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("create rule: %d\n%s", r.status, r.body)
	}
	rulePath := r.location

	first := anna.get(rulePath + "/preview")
	if first.status != http.StatusOK || !strings.Contains(first.body, "data-vacancy-id") {
		t.Fatalf("first preview: %d\n%s", first.status, first.body)
	}
	ids := func(body string) string {
		return strings.Join(regexp.MustCompile(`data-vacancy-id="[^"]*"`).FindAllString(body, -1), " ")
	}
	if again := anna.get(rulePath + "/preview"); again.status != http.StatusOK || ids(again.body) != ids(first.body) {
		t.Errorf("the same preview again: %d, want the same vacancies from the cache", again.status)
	}

	form.Set("text", "Golang")
	if r := anna.post(rulePath, rulePath, form); r.status != http.StatusSeeOther {
		t.Fatalf("edit rule: %d", r.status)
	}
	refused := anna.get(rulePath + "/preview")
	if refused.status != http.StatusTooManyRequests || !strings.Contains(refused.body, "Подождите") {
		t.Fatalf("a changed rule's preview within 10 s: %d, want 429 saying to wait\n%s", refused.status, refused.body)
	}
	if s, err := strconv.Atoi(refused.header.Get("Retry-After")); err != nil || s < 1 || s > 10 {
		t.Errorf("Retry-After %q, want 1-10 seconds", refused.header.Get("Retry-After"))
	}

	// Another person previews meanwhile.
	boris := env.browser()
	bu := boris.register("boris@example.com", "boris's long password")
	boris.connectHH(env.applicant(1).ID, true)
	bform := validRuleForm(publishedResume(t, env, bu.ID))
	bform.Del("area")
	br := boris.post("/rules/new", "/rules", bform)
	if p := boris.get(br.location + "/preview"); p.status != http.StatusOK || !strings.Contains(p.body, "data-vacancy-id") {
		t.Errorf("another person's preview: %d", p.status)
	}

	// Ten seconds later Anna's changed rule is fetched.
	env.redis.SetTime(time.Now().Add(11 * time.Second))
	if p := anna.get(rulePath + "/preview"); p.status != http.StatusOK || !strings.Contains(p.body, "data-vacancy-id") {
		t.Errorf("after 10 s: %d", p.status)
	}
}
