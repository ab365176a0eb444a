package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

func TestReviewSendAndDismiss(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	send := addReviewItem(t, env, userID, ruleID, resume, vs[0].ID, "letter_required")
	hide := addReviewItem(t, env, userID, ruleID, resume, vs[1].ID, "test_required")

	page := b.get("/review").body
	item := between(page, fmt.Sprintf(`id="item-%d"`, send.ID), "</li>")
	for _, want := range []string{`data-vacancy-id="` + vs[0].ID + `"`, `data-status="review"`, "Здравствуйте! Черновик письма.",
		"от 200 000 ₽", "Работодатель просит сопроводительное письмо", `name="message"`} {
		if !strings.Contains(page, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	if item == "" {
		t.Fatal("item not on the page")
	}
	testLink := fmt.Sprintf(`<a href="https://hh.ru/applicant/vacancy_response?vacancyId=%s" rel="noopener noreferrer" target="_blank">Пройти тест на hh.ru</a>`, vs[1].ID)
	if !strings.Contains(between(page, fmt.Sprintf(`id="item-%d"`, hide.ID), "</li>"), testLink) {
		t.Errorf("no link to hh's test page (the vacancy's apply_alternate_url) in:\n%s", between(page, fmt.Sprintf(`id="item-%d"`, hide.ID), "</li>"))
	}

	// An empty letter where the employer asks for one is refused, input kept.
	r := b.post("/review", fmt.Sprintf("/review/%d/send", send.ID), url.Values{"message": {"   "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "напишите хотя бы пару строк") {
		t.Errorf("empty letter = %d", r.status)
	}

	letter := "Добрый день! Мой опыт с Go — 5 лет."
	r = b.post("/review", fmt.Sprintf("/review/%d/send", send.ID), url.Values{"message": {letter}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send = %d", r.status)
	}
	a, _ := env.store.Application(ctx, userID, send.ID)
	if a.Status != store.StatusQueued || a.Letter != letter {
		t.Errorf("after send: %s %q", a.Status, a.Letter)
	}
	if _, sends := env.jobs.counts(); sends != 1 {
		t.Errorf("SendApplication called %d times", sends)
	}
	page = b.get("/review").body
	sent := between(page, "Недавно отправленные", "</section>")
	if !strings.Contains(sent, `data-vacancy-id="`+vs[0].ID+`" data-status="queued"`) || !strings.Contains(sent, "Отправляется") {
		t.Errorf("the sent item does not show it is on its way:\n%s", sent)
	}
	// Once the worker applied it, the item shows the outcome.
	if err := env.store.MarkApplied(ctx, userID, send.ID, "123", letter, fixedNow); err != nil {
		t.Fatal(err)
	}
	if page = b.get("/review").body; !strings.Contains(page, `data-vacancy-id="`+vs[0].ID+`" data-status="applied"`) {
		t.Error("the sent item does not show it was applied")
	}

	// Dismiss and hide on hh too.
	r = b.post("/review", fmt.Sprintf("/review/%d/dismiss", hide.ID), url.Values{"hide": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("dismiss = %d", r.status)
	}
	a, _ = env.store.Application(ctx, userID, hide.ID)
	if a.Status != store.StatusSkipped || a.Reason != "dismissed" {
		t.Errorf("after dismiss: %s %s", a.Status, a.Reason)
	}
	acct, _ := env.store.HHAccount(ctx, userID)
	hidden, err := env.oauth.WithToken(acct.Token.AccessToken).BlacklistedVacancies(ctx, hh.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range hidden.Items {
		found = found || v.ID == vs[1].ID
	}
	if !found {
		t.Error("the vacancy was not hidden on hh")
	}
	if strings.Contains(b.get("/review").body, fmt.Sprintf(`id="item-%d"`, hide.ID)) {
		t.Error("the dismissed item is still in the queue")
	}
}

func TestApplicationsHistoryAndCSV(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	b, userID, resume := signedInWithHH(t, env, "a@example.com", 0)
	ruleID := createRule(t, b, validRuleForm(resume))
	vs := env.sandbox.Vacancies()
	addReviewItem(t, env, userID, ruleID, resume, vs[0].ID, "letter_required")
	applied := &store.Application{UserID: userID, RuleID: ruleID, ResumeID: resume, VacancyID: vs[1].ID, Status: store.StatusApplied,
		VacancySnapshot: store.VacancySnapshot{VacancyName: "=HYPERLINK(\"http://evil\")", EmployerName: "Acme, Inc."}}
	if _, err := env.store.InsertApplication(ctx, applied); err != nil {
		t.Fatal(err)
	}

	page := b.get("/applications").body
	for _, want := range []string{`data-vacancy-id="` + vs[0].ID + `" data-status="review"`, `data-vacancy-id="` + vs[1].ID + `" data-status="applied"`} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %s", want)
		}
	}
	filtered := b.get("/applications?status=applied").body
	if strings.Contains(filtered, `data-status="review"`) || !strings.Contains(filtered, `data-status="applied"`) {
		t.Error("status filter does not filter")
	}
	if body := b.get("/applications?from=2000-01-01&to=2000-01-02").body; strings.Contains(body, "data-vacancy-id=") {
		t.Error("date filter does not filter")
	}

	res, err := b.c.Get(b.url("/applications?format=csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	raw := new(strings.Builder)
	if _, err := fmt.Fprint(raw, readAll(t, res)); err != nil {
		t.Fatal(err)
	}
	body, bom := strings.CutPrefix(raw.String(), "\ufeff")
	if !bom {
		t.Error("the CSV does not start with a UTF-8 BOM")
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if lines[0] != "vacancy_id,vacancy_name,employer,status,reason,rule,resume_id,created_at,applied_at,outcome,outcome_at,viewed" {
		t.Errorf("CSV header %q", lines[0])
	}
	if len(lines) != 3 {
		t.Fatalf("CSV has %d lines, want 3:\n%s", len(lines), raw)
	}
	// Times in the person's zone (Moscow by default), with its offset.
	if !strings.Contains(lines[1], "+03:00,") {
		t.Errorf("CSV times are not in the person's zone: %s", lines[1])
	}
	if !strings.Contains(raw.String(), `"'=HYPERLINK(""http://evil"")"`) || !strings.Contains(raw.String(), `"Acme, Inc."`) {
		t.Errorf("CSV does not quote or defuse:\n%s", raw)
	}
	csvReview := b.get("/applications?format=csv&status=review").body
	if n := len(strings.Split(strings.TrimSpace(csvReview), "\n")); n != 2 {
		t.Errorf("filtered CSV has %d lines, want 2", n)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}
