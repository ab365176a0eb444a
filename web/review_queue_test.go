package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// The review queue on a long evening: each card unfolds the vacancy's text
// (from hh), the queue filters by rule, ticked items are sent or dismissed
// together, and what was sent updates by itself.
func TestReviewQueueEveryday(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	form := validRuleForm(resume)
	first := createRule(t, b, form)
	form.Set("name", "Второе")
	second := createRule(t, b, form)
	vs := env.sandbox.Vacancies()
	ok := addReviewItem(t, env, userID, first, resume, vs[0].ID, "mode_review")
	noLetter := addReviewItem(t, env, userID, first, resume, vs[1].ID, "letter_required")
	must(t, env.store.Requeue(ctx, userID, noLetter.ID, ""))
	must(t, env.store.MarkReview(ctx, userID, noLetter.ID, "letter_required", ""))
	other := addReviewItem(t, env, userID, second, resume, vs[2].ID, "mode_review")

	page := b.get("/review").body
	card := between(page, fmt.Sprintf(`id="item-%d"`, ok.ID), "</li>")
	text := between(card, `<details class="vacancy-text">`, "</details>")
	if !strings.Contains(text, "<summary>Текст вакансии</summary>") || strings.Contains(between(text, `<div class="text">`, "</div>"), "<p>") {
		t.Errorf("the card has no folded plain vacancy text:\n%s", text)
	}
	if strings.Contains(card, `name="hide"`) && !strings.Contains(card, `<button class="secondary" type="submit" name="hide" value="on">Убрать и скрыть на hh.ru</button>`) {
		t.Error("hiding on hh is not its own button")
	}

	// Filter by rule.
	filtered := b.get(fmt.Sprintf("/review?rule=%d", second)).body
	if strings.Contains(filtered, fmt.Sprintf(`id="item-%d"`, ok.ID)) || !strings.Contains(filtered, fmt.Sprintf(`id="item-%d"`, other.ID)) {
		t.Error("the rule filter does not show only that rule's items")
	}

	// Bulk send: the item whose required letter is empty stays, and the
	// person is told.
	r := b.post("/review", "/review/bulk", url.Values{"action": {"send"}, "id": {fmt.Sprint(ok.ID), fmt.Sprint(noLetter.ID)}, "next": {"/review"}})
	if r.status != http.StatusSeeOther || r.location != "/review" {
		t.Fatalf("bulk send = %d %q", r.status, r.location)
	}
	if a, _ := env.store.Application(ctx, userID, ok.ID); a.Status != store.StatusQueued {
		t.Errorf("bulk-sent item is %s", a.Status)
	}
	if a, _ := env.store.Application(ctx, userID, noLetter.ID); a.Status != store.StatusReview {
		t.Errorf("an item with an empty required letter was sent: %s", a.Status)
	}
	page = b.get("/review").body
	if !strings.Contains(page, "остальные остались на проверке") {
		t.Error("no word that some stayed in review")
	}
	if !strings.Contains(page, `<meta http-equiv="refresh" content="5">`) {
		t.Error("the page does not update itself while a sent item is on its way")
	}

	// Bulk dismiss, and another person's ids are left alone.
	ob := env.browser()
	ob.register("b@example.com", "good password 1")
	ob.post("/review", "/review/bulk", url.Values{"action": {"dismiss"}, "id": {fmt.Sprint(other.ID)}})
	if a, _ := env.store.Application(ctx, userID, other.ID); a.Status != store.StatusReview {
		t.Errorf("another person dismissed this person's item: %s", a.Status)
	}
	b.post("/review", "/review/bulk", url.Values{"action": {"dismiss"}, "id": {fmt.Sprint(other.ID), fmt.Sprint(noLetter.ID)}})
	for _, id := range []int64{other.ID, noLetter.ID} {
		if a, _ := env.store.Application(ctx, userID, id); a.Status != store.StatusSkipped {
			t.Errorf("bulk-dismissed item %d is %s", id, a.Status)
		}
	}
	if r := b.post("/review", "/review/bulk", url.Values{"action": {"send"}}); !strings.Contains(b.get(r.location).body, "Ничего не выбрано") {
		t.Error("an empty selection says nothing")
	}
}

func TestPlainText(t *testing.T) {
	got := plainText(`<p><strong>Go</strong> &amp; SQL</p><ul><li>один</li><li>два</li></ul><script>x</script>`)
	want := "Go & SQL\n\n• один\n• два\nx"
	if got != want {
		t.Errorf("plainText = %q, want %q", got, want)
	}
}

// «Не показывать этого работодателя»: from review it goes to the rule's
// excluded employers and the item leaves the queue; from history it can
// hide the employer on hh.ru.
func TestExcludeEmployerFromReviewAndHistory(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	item := addReviewItem(t, env, userID, ruleID, resume, vs[0].ID, "mode_review")
	if !strings.Contains(b.get("/review").body, fmt.Sprintf(`action="/applications/%d/exclude-employer"`, item.ID)) {
		t.Fatal("no «Не показывать этого работодателя» on the review card")
	}
	r := b.post("/review", fmt.Sprintf("/applications/%d/exclude-employer", item.ID), url.Values{"to": {"rule"}, "next": {"/review"}})
	if r.status != http.StatusSeeOther || r.location != "/review" {
		t.Fatalf("exclude = %d %q", r.status, r.location)
	}
	rule, _ := env.store.Rule(ctx, userID, ruleID)
	if len(rule.ExcludedEmployerIDs) != 1 || rule.ExcludedEmployerIDs[0] != vs[0].EmployerID {
		t.Errorf("rule's excluded employers %v, want [%s]", rule.ExcludedEmployerIDs, vs[0].EmployerID)
	}
	if a, _ := env.store.Application(ctx, userID, item.ID); a.Status != store.StatusSkipped || a.Reason != "employer_excluded" {
		t.Errorf("the item is %s %s after excluding its employer", a.Status, a.Reason)
	}

	hist := b.get("/applications").body
	if !strings.Contains(between(hist, `data-vacancy-id="`+vs[0].ID+`"`, "</tr>"), `value="hh"`) {
		t.Fatal("no «Скрыть работодателя на hh.ru» in history")
	}
	b.post("/applications", fmt.Sprintf("/applications/%d/exclude-employer", item.ID), url.Values{"to": {"hh"}})
	acct, err := env.store.HHAccount(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := env.oauth.WithToken(acct.Token.AccessToken).BlacklistedEmployers(ctx, hh.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	hidden := false
	for _, e := range list.Items {
		hidden = hidden || e.ID == vs[0].EmployerID
	}
	if !hidden {
		t.Error("the employer is not hidden on hh")
	}
}

// The preview offers «Не показывать этого работодателя» next to each
// vacancy; it adds the employer to the rule's exclusions.
func TestExcludeEmployerFromPreview(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	preview := fmt.Sprintf("/rules/%d/preview", ruleID)
	page := b.get(preview).body
	if !strings.Contains(page, fmt.Sprintf(`action="/rules/%d/exclude-employer"`, ruleID)) {
		t.Fatal("no «Не показывать этого работодателя» in the preview")
	}
	m := regexp.MustCompile(`name="employer_id" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no employer id on the preview's button")
	}
	employer := m[1]
	r := b.post(preview, fmt.Sprintf("/rules/%d/exclude-employer", ruleID), url.Values{"employer_id": {employer}, "to": {"rule"}, "next": {preview}})
	if r.status != http.StatusSeeOther || r.location != preview {
		t.Fatalf("exclude from preview = %d %q", r.status, r.location)
	}
	rule, _ := env.store.Rule(ctx, userID, ruleID)
	if len(rule.ExcludedEmployerIDs) != 1 || rule.ExcludedEmployerIDs[0] != employer {
		t.Errorf("excluded employers %v, want [%s]", rule.ExcludedEmployerIDs, employer)
	}
	if strings.Contains(b.get(preview).body, `name="employer_id" value="`+employer+`"`) {
		t.Error("the excluded employer's vacancies are still previewed")
	}

	// The button's form made by hand holds the rule's bounds: an id that is
	// no employer id, or one too many for the rule, changes nothing.
	exclude := func(id string) int {
		return b.post(preview, fmt.Sprintf("/rules/%d/exclude-employer", ruleID), url.Values{"employer_id": {id}, "to": {"rule"}, "next": {preview}}).status
	}
	for _, id := range []string{strings.Repeat("7", 60000), "12ab", "1\x00"} {
		if st := exclude(id); st != http.StatusUnprocessableEntity {
			t.Errorf("exclude employer %.12q… = %d, want 422", id, st)
		}
	}
	refused := false
	for i := range rules.MaxListValues + 5 {
		if exclude(strconv.Itoa(900000+i)) == http.StatusUnprocessableEntity {
			refused = true
			break
		}
	}
	rule, _ = env.store.Rule(ctx, userID, ruleID)
	if !refused || len(rule.ExcludedEmployerIDs) > rules.MaxListValues {
		t.Errorf("the rule excludes %d employers by the button (refused: %v), at most %d allowed", len(rule.ExcludedEmployerIDs), refused, rules.MaxListValues)
	}
}
