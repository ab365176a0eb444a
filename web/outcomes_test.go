package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// funnelCounts reads the data-funnel numbers of a page.
func funnelCounts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`data-funnel="(\w+)">(\d+)<`).FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// rowsOf reads the history rows' vacancy ids with their outcome markers.
func rowsOf(body string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`<tr data-vacancy-id="(\d+)" data-status="(\w+)"(?: data-outcome="(\w*)" data-viewed="(\w+)")?>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2] + "/" + m[3] + "/" + m[4]
	}
	return out
}

// Employers view, invite and discard at hh; after «Обновить» (a real sync
// over the sandbox) the dashboard's funnel and chart, the history and its
// filter, the CSV, the rule's page and today's summary show exactly that.
func TestOutcomesShownEverywhere(t *testing.T) {
	env := newTestEnv(t)
	b, userID, resume := signedInWithHH(t, env, "anna@example.com", 0)
	ruleID := createRule(t, b, url.Values{"name": {"Go"}, "resume_id": {resume}, "text": {"go"},
		"daily_limit": {"50"}, "every_hours": {"4"}, "active_from": {"09:00"}, "active_to": {"21:00"},
		"mode": {"letters"}, "enabled": {"on"}, "skip_discarded_employers": {"on"}})
	rule, err := env.store.Rule(t.Context(), userID, ruleID)
	if err != nil || !rule.SkipDiscardedEmployers {
		t.Fatalf("the rule form's skip_discarded_employers was not saved: %v", err)
	}
	if !strings.Contains(b.get("/rules/new").body, `name="skip_discarded_employers" checked`) {
		t.Error("a new rule's form does not skip discarded employers by default")
	}

	// Four applications sent by the rule, one made on hh by hand.
	acct, err := env.store.HHAccount(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	c := env.oauth.WithToken(acct.Token.AccessToken)
	var rows []store.Application
	var manual string
	for _, v := range env.sandbox.Vacancies() {
		if len(rows) == 4 && manual != "" {
			break
		}
		if v.Type != "open" || v.Archived || v.ResponseLetterRequired || v.HasTest || v.EmployerID == "" {
			continue
		}
		res, err := c.Apply(t.Context(), v.ID, resume, "")
		if err != nil {
			continue
		}
		if len(rows) == 4 {
			manual = v.ID
			continue
		}
		a := store.Application{UserID: userID, RuleID: ruleID, ResumeID: resume, VacancyID: v.ID,
			Status: store.StatusApplied, NegotiationID: res.NegotiationID,
			VacancySnapshot: store.VacancySnapshot{VacancyName: v.Name, EmployerName: v.EmployerName,
				EmployerID: v.EmployerID, VacancyURL: env.hhURL + "/vacancy/" + v.ID}}
		if _, err := env.store.InsertApplication(t.Context(), &a); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, a)
	}
	yes := true
	for i, state := range []string{"invitation", "discard", ""} {
		if err := env.sandbox.SetNegotiation(rows[i].NegotiationID, state, &yes); err != nil {
			t.Fatal(err)
		}
	}

	// «Обновить» runs a real sync through a worker over the sandbox.
	queue := asynq.NewClient(asynq.RedisClientOpt{Addr: env.redis.Addr()})
	t.Cleanup(func() { queue.Close() })
	w, err := tasks.New(tasks.Deps{Store: env.store, Redis: env.deps.Redis, Queue: queue,
		HH:     hh.Config{APIURL: env.hhURL, OAuthURL: env.hhURL, UserAgent: "Otklik-test/1.0 (test@example.com)"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	env.jobs.sync = func(ctx context.Context, userID int64) error {
		_, err := w.SyncNegotiations(ctx, userID)
		return err
	}
	if r := b.postRaw("/outcomes/refresh", url.Values{}, nil); r.status != http.StatusForbidden || env.jobs.syncs != 0 {
		t.Errorf("«Обновить» without the CSRF token: %d, %d syncs", r.status, env.jobs.syncs)
	}
	if r := b.post("/", "/outcomes/refresh", nil); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("refresh: %d %q", r.status, r.location)
	}
	dash := b.get("/").body
	if !strings.Contains(dash, "Загружаем ответы работодателей") {
		t.Error("the dashboard does not say the answers are loading")
	}
	// A second press within 10 minutes syncs nothing.
	b.post("/", "/outcomes/refresh", nil)
	if env.jobs.syncs != 1 {
		t.Errorf("two presses within 10 minutes made %d syncs, want 1", env.jobs.syncs)
	}
	if !strings.Contains(b.get("/").body, "не чаще раза в 10 минут") {
		t.Error("the second press is not told to wait")
	}

	want := map[string]string{"applied": "4", "viewed": "3", "invitation": "1", "discard": "1"}
	if got := funnelCounts(dash); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dashboard funnel %v, want %v", got, want)
	}
	if !strings.Contains(dash, `<svg data-chart="daily"`) || !strings.Contains(dash, `data-applied="4"`) || !strings.Contains(dash, `data-invitations="1"`) {
		t.Error("the dashboard's daily chart does not show today's 4 applications and 1 invitation")
	}
	// Who invited the person is named on the dashboard, with the vacancy.
	if invited := between(dash, "data-invited", "</ul>"); !strings.Contains(invited, `data-vacancy-id="`+rows[0].VacancyID+`" data-outcome="invitation"`) ||
		strings.Contains(invited, rows[1].VacancyID) {
		t.Errorf("the dashboard does not name exactly the invitation:\n%s", invited)
	}
	if !strings.Contains(dash, `data-outside="1"`) {
		t.Error("the application made on hh by hand is not counted apart")
	}

	hist := rowsOf(b.get("/applications").body)
	wantRows := map[string]string{
		rows[0].VacancyID: "applied/invitation/true", rows[1].VacancyID: "applied/discard/true",
		rows[2].VacancyID: "applied/response/true", rows[3].VacancyID: "applied/response/false",
	}
	if fmt.Sprint(hist) != fmt.Sprint(wantRows) {
		t.Errorf("history rows %v, want %v (and no row for the hand-made %s)", hist, wantRows, manual)
	}
	for kind, i := range map[string]int{"invitation": 0, "discard": 1, "viewed": 2, "none": 3} {
		page := b.get("/applications?outcome=" + kind).body
		got := rowsOf(page)
		if len(got) != 1 || got[rows[i].VacancyID] == "" {
			t.Errorf("?outcome=%s shows %v, want only %s", kind, got, rows[i].VacancyID)
		}
		if !strings.Contains(page, map[string]string{"invitation": "Приглашение", "discard": "Отказ", "viewed": "Просмотрен", "none": "Не просмотрен"}[kind]) {
			t.Errorf("?outcome=%s does not name the outcome", kind)
		}
	}

	res := b.get("/applications?format=csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "vacancy_id,vacancy_name,employer,status,reason,rule,resume_id,created_at,applied_at,outcome,outcome_at,viewed" {
		t.Errorf("CSV header %v", recs[0])
	}
	got := map[string]string{}
	for _, rec := range recs[1:] {
		got[rec[0]] = rec[3] + "/" + rec[9] + "/" + rec[11]
		if rec[10] == "" {
			t.Errorf("CSV row %s has no outcome_at", rec[0])
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("CSV %v, want %v", got, wantRows)
	}

	rulePage := b.get(fmt.Sprintf("/rules/%d", ruleID)).body
	if got := funnelCounts(rulePage); got["applied"] != "4" || got["viewed"] != "3" || got["invitation"] != "1" || !strings.Contains(rulePage, `data-rate>25%<`) {
		t.Errorf("rule page outcomes %v (rate 25%% shown: %v)", got, strings.Contains(rulePage, `data-rate>25%<`))
	}

	sum := b.get("/summary").body
	if !strings.Contains(sum, "Новые приглашения") || !strings.Contains(sum, "topicId="+rows[0].NegotiationID) ||
		!strings.Contains(sum, "Новые отказы") || !strings.Contains(sum, "topicId="+rows[1].NegotiationID) {
		t.Error("today's summary lacks the new invitation and rejection with their links")
	}
}

// «Обновить» without a connected hh account syncs nothing and says why.
func TestOutcomesRefreshNeedsHH(t *testing.T) {
	env := newTestEnv(t)
	b := env.browser()
	b.register("anna@example.com", "good password 1")
	if strings.Contains(b.get("/").body, `data-funnel`) {
		t.Error("a person with no hh and no applications is shown an empty funnel")
	}
	if r := b.post("/", "/outcomes/refresh", nil); r.status != http.StatusSeeOther {
		t.Fatalf("refresh: %d", r.status)
	}
	if env.jobs.syncs != 0 || !strings.Contains(b.get("/").body, "hh.ru должен быть подключён") {
		t.Errorf("without hh: %d syncs, or the person is not told why", env.jobs.syncs)
	}
}
