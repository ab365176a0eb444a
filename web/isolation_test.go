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

// addReviewItem puts a vacancy in userID's review queue, as a rule run would.
func addReviewItem(t *testing.T, env *testEnv, userID, ruleID int64, resumeID, vacancyID, reason string) *store.Application {
	t.Helper()
	v, ok := env.sandbox.Vacancy(vacancyID)
	if !ok {
		t.Fatalf("no sandbox vacancy %s", vacancyID)
	}
	a := &store.Application{
		UserID: userID, RuleID: ruleID, ResumeID: resumeID, VacancyID: vacancyID,
		VacancySnapshot: store.VacancySnapshot{
			VacancyName: v.Name, EmployerName: v.EmployerName, EmployerID: v.EmployerID,
			SalaryText: "от 200 000 ₽", AreaName: "Москва", VacancyURL: "https://hh.ru/vacancy/" + vacancyID,
			ResponseLetterRequired: reason == "letter_required",
			ApplyURL:               "https://hh.ru/applicant/vacancy_response?vacancyId=" + vacancyID,
		},
		Status: store.StatusReview, Reason: reason, Letter: "Здравствуйте! Черновик письма.",
	}
	created, err := env.store.InsertApplication(context.Background(), a)
	if err != nil || !created {
		t.Fatalf("insert application: %v created=%v", err, created)
	}
	return a
}

// User B gets 404 for each of user A's rules, review items and
// applications, and B's history and export show none of A's rows.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	a, aID, aResume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, a, validRuleForm(aResume))
	vacancy := env.sandbox.Vacancies()[0].ID
	item := addReviewItem(t, env, aID, ruleID, aResume, vacancy, "letter_required")

	b, _, bResume := signedInWithHH(t, env, "b@example.com", 1)
	rule := fmt.Sprintf("/rules/%d", ruleID)
	review := fmt.Sprintf("/review/%d", item.ID)

	gets := []string{rule, rule + "/preview"}
	for _, p := range gets {
		if r := b.get(p); r.status != http.StatusNotFound {
			t.Errorf("B: GET %s = %d, want 404", p, r.status)
		}
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{rule, validRuleForm(bResume)},
		{rule, url.Values{"action": {"toggle"}}},
		{rule + "/run", nil},
		{rule + "/delete", nil},
		{review + "/send", url.Values{"message": {"hijacked"}}},
		{review + "/dismiss", url.Values{"hide": {"on"}}},
	}
	for _, p := range posts {
		if r := b.post("/rules", p.path, p.form); r.status != http.StatusNotFound {
			t.Errorf("B: POST %s = %d, want 404", p.path, r.status)
		}
	}
	// Nothing of A's changed, and the worker was asked nothing.
	got, err := env.store.Rule(ctx, aID, ruleID)
	if err != nil || got.Name != "Go в Москве" || !got.Enabled {
		t.Errorf("A's rule after B's attempts: %+v, %v", got, err)
	}
	app, _ := env.store.Application(ctx, aID, item.ID)
	if app.Status != store.StatusReview || app.Letter != item.Letter {
		t.Errorf("A's review item after B's attempts: %s %q", app.Status, app.Letter)
	}
	if runs, sends := env.jobs.counts(); runs != 0 || sends != 0 {
		t.Errorf("jobs asked by B: %d runs, %d sends", runs, sends)
	}

	for _, p := range []string{"/applications", "/review", "/summary", fmt.Sprintf("/applications?rule=%d", ruleID)} {
		if body := b.get(p).body; strings.Contains(body, `data-vacancy-id="`+vacancy+`"`) {
			t.Errorf("B sees A's vacancy on %s", p)
		}
	}
	csv := b.get("/applications?format=csv").body
	if strings.TrimSpace(csv) != "\ufeff"+strings.Join(csvHeader, ",") {
		t.Errorf("B's export is not empty:\n%s", csv)
	}
	// A still sees everything.
	if !strings.Contains(a.get("/review").body, `data-vacancy-id="`+vacancy+`"`) {
		t.Error("A does not see their review item")
	}
	if !strings.Contains(a.get("/applications?format=csv").body, vacancy) {
		t.Error("A's export lacks their row")
	}
}

func TestUnknownIDs404(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("a@example.com", "good password 1")
	for _, p := range []string{"/rules/999", "/rules/abc", "/rules/999/preview", "/nowhere"} {
		if r := b.get(p); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
	for _, p := range []string{"/rules/999/run", "/rules/-1/delete", "/review/999/send", "/review/x/dismiss"} {
		if r := b.post("/", p, nil); r.status != http.StatusNotFound {
			t.Errorf("POST %s = %d, want 404", p, r.status)
		}
	}
}
