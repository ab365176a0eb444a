package plan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/ai/aitest"
	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

func (f *fixture) model(t *testing.T, fake *aitest.Server, daily int) *ai.Client {
	t.Helper()
	return ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "test-model", DailyTokens: daily}, f.st)
}

// Screening skips exactly the vacancies the model rejects, with its words;
// a verdict is kept, so planning the same vacancies again asks nothing.
func TestAIScreeningSkipsWhatTheModelRejects(t *testing.T) {
	f := newFixture(t)
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		if strings.Contains(r.User, "Офис") {
			return aitest.Answer{Content: `{"match": false, "reason": "Только офис, а вы хотите удалёнку"}`}
		}
		return aitest.Answer{Content: `{"match": true, "reason": "Удалённая работа на Go"}`}
	})
	defer fake.Close()
	office := f.vacancy(t, hhsandbox.Vacancy{Name: "Go Офис"})
	remote := f.vacancy(t, hhsandbox.Vacancy{Name: "Go удалённо"})
	excluded := f.vacancy(t, hhsandbox.Vacancy{Name: "Go senior"})
	r := f.rule(t, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.AIScreen, r.AICriteria = true, "Только удалёнка"
		r.ExcludeWords = []string{"senior"}
	})
	for round := range 2 {
		p := f.planner(t, r)
		p.UseAI(f.model(t, fake, 100000), true)
		fate, err := p.Plan(f.ctx, office, false, f.client)
		if err != nil || fate.Status != store.StatusSkipped || fate.Reason != rules.ReasonAIMismatch ||
			fate.Message != "Только офис, а вы хотите удалёнку" {
			t.Errorf("round %d: office: %+v, %v", round, fate, err)
		}
		if got := fate.Decision.Text("ru"); got != "ИИ счёл, что вакансия не подходит под ваши критерии: «Только офис, а вы хотите удалёнку»" {
			t.Errorf("the reason in words: %q", got)
		}
		if fate, err = p.Plan(f.ctx, remote, false, f.client); err != nil || fate.Status != store.StatusQueued {
			t.Errorf("round %d: remote: %+v, %v", round, fate, err)
		}
		if fate, err = p.Plan(f.ctx, excluded, false, f.client); err != nil || fate.Reason != rules.ReasonExcludedWord {
			t.Errorf("round %d: excluded by the rule's own filter: %+v, %v", round, fate, err)
		}
	}
	if fake.Calls() != 2 {
		t.Errorf("the model was asked %d times, want 2 (the rule's own filters first, verdicts kept)", fake.Calls())
	}
}

// A model that fails or talks nonsense loses nothing: the vacancy's row is
// written queued with the reason ai_unavailable, keeping what the model
// needs; Finish retries it (still failing: not done), a day after the first
// failure decides it without screening, saying so, and with the model back
// takes its verdict.
func TestAIScreeningFailureLosesNothing(t *testing.T) {
	f := newFixture(t)
	fake := aitest.New(func(aitest.Request) aitest.Answer { return aitest.Answer{Status: 503} })
	defer fake.Close()
	r := f.rule(t, func(r *rules.Rule) { r.Mode = rules.ModeAuto; r.AIScreen, r.AICriteria = true, "удалёнка" })
	var rows []*store.Application
	for i, a := range []aitest.Answer{{Status: 503}, {Content: "конечно подходит!"}, {Delay: 3 * time.Second}} {
		fake.SetScript(func(aitest.Request) aitest.Answer { return a })
		v := f.vacancy(t, hhsandbox.Vacancy{Name: "Go " + strings.Repeat("x", i)})
		p := f.planner(t, r)
		p.UseAI(f.model(t, fake, 100000), true)
		ctx, cancel := context.WithTimeout(f.ctx, time.Second)
		fate, err := p.Plan(ctx, v, false, f.client)
		cancel()
		if err != nil || fate.Status != store.StatusQueued || fate.Reason != rules.ReasonAIUnavailable || fate.Pending == nil ||
			fate.Pending.Step != store.AIStepScreen || fate.Pending.ThenStatus != store.StatusQueued {
			t.Fatalf("answer %+v: %+v, %v; want queued, ai_unavailable, waiting for the screening", a, fate, err)
		}
		row := &store.Application{UserID: f.user.ID, RuleID: r.ID, ResumeID: r.ResumeID, VacancyID: v.ID,
			Status: fate.Status, Reason: string(fate.Reason), AIPending: fate.Pending}
		row.VacancyName = v.Name
		if created, err := f.st.InsertApplication(f.ctx, row); err != nil || !created {
			t.Fatal(created, err)
		}
		rows = append(rows, row)
	}
	finish := func(p *plan.Planner, a *store.Application) (store.AIResolution, bool) {
		t.Helper()
		pend, err := f.st.AIPendingFor(f.ctx, f.user.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, _, done, err := p.Finish(f.ctx, a, pend, f.client)
		if err != nil {
			t.Fatal(err)
		}
		return res, done
	}
	fake.SetScript(func(aitest.Request) aitest.Answer { return aitest.Answer{Status: 500} })
	p := f.planner(t, r)
	p.UseAI(f.model(t, fake, 100000), true)
	if res, done := finish(p, rows[0]); done {
		t.Errorf("the model still down: %+v, done; want it to wait", res)
	}
	// A day after the first failure the rule's own filters decide, saying so.
	later, err := plan.New(f.ctx, f.st, f.tests, r, f.acct, time.Now().Add(plan.AIGiveUp+time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	later.UseAI(f.model(t, fake, 100000), true)
	if res, done := finish(later, rows[0]); !done || res.Status != store.StatusQueued || res.AINote != store.AINoteGaveUp {
		t.Errorf("a day of failures: %+v, done %v; want queued without screening, gave_up", res, done)
	}
	// With the model back its verdict counts: a match is sent, a mismatch skipped with its words.
	fake.SetScript(func(r aitest.Request) aitest.Answer {
		if strings.Contains(r.User, "Go x") {
			return aitest.Answer{Content: `{"match": false, "reason": "не то"}`}
		}
		return aitest.Answer{Content: `{"match": true, "reason": "ok"}`}
	})
	p = f.planner(t, r)
	p.UseAI(f.model(t, fake, 100000), true)
	if res, done := finish(p, rows[0]); !done || res.Status != store.StatusQueued || res.AINote != "" {
		t.Errorf("with the model back: %+v, done %v; want queued", res, done)
	}
	if res, done := finish(p, rows[1]); !done || res.Status != store.StatusSkipped || res.Reason != string(rules.ReasonAIMismatch) || res.Message != "не то" {
		t.Errorf("with the model back, a mismatch: %+v, done %v", res, done)
	}
}

// AI letters: written from the vacancy's full text with the template as
// guidance; a letter that fails a check (an invented number) falls back to
// the template's, saying so; a spent cap falls back too, asking nothing.
func TestAILetters(t *testing.T) {
	f := newFixture(t)
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		if strings.Contains(r.User, "Name: Go выдумка") {
			return aitest.Answer{Content: "Здравствуйте! У меня 15 лет опыта в Go."}
		}
		return aitest.Answer{Content: "Здравствуйте! Ваша вакансия про платежи на Go мне близка.", Tokens: 500}
	})
	defer fake.Close()
	good := f.vacancy(t, hhsandbox.Vacancy{Name: "Go платежи", Description: "<p>Пишем <b>платёжный</b> шлюз</p>"})
	invented := f.vacancy(t, hhsandbox.Vacancy{Name: "Go выдумка"})
	r := f.rule(t, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.LetterSource = rules.LetterSourceAI
		r.LetterTemplate = "Здравствуйте! Интересна вакансия {vacancy}."
	})
	p := f.planner(t, r)
	p.UseAI(f.model(t, fake, 100000), true)
	fate, err := p.Plan(f.ctx, good, false, f.client)
	if err != nil || fate.Status != store.StatusQueued || fate.LetterBy != store.LetterByAI ||
		fate.Letter != "Здравствуйте! Ваша вакансия про платежи на Go мне близка." {
		t.Fatalf("good: %+v, %v", fate, err)
	}
	if req := fake.Requests()[0]; !strings.Contains(req.User, "Пишем платёжный шлюз") ||
		!strings.Contains(req.User, "Здравствуйте! Интересна вакансия Go платежи.") {
		t.Errorf("the prompt lacks the full vacancy text or the template's letter:\n%s", req.User)
	}
	fate, err = p.Plan(f.ctx, invented, false, f.client)
	if err != nil || fate.LetterBy != store.LetterByTemplateFallback || fate.AINote != "rejected" ||
		fate.Letter != "Здравствуйте! Интересна вакансия Go выдумка." {
		t.Errorf("invented: %+v, %v", fate, err)
	}
	// Another worker spends the rest of today's tokens.
	day := ai.Day(time.Now(), locale.Zone("Europe/Moscow"))
	used, _ := f.st.AITokensUsed(f.ctx, f.user.ID, day)
	if ok, err := f.st.ReserveAITokens(f.ctx, f.user.ID, day, 100000-used, 100000); !ok || err != nil {
		t.Fatal(ok, err)
	}
	calls := fake.Calls()
	fate, err = p.Plan(f.ctx, good, false, f.client)
	if err != nil || fate.AINote != "cap_spent" || fate.LetterBy != store.LetterByTemplateFallback || fake.Calls() != calls {
		t.Errorf("cap spent: %+v, %v, calls %d → %d", fate, err, calls, fake.Calls())
	}
	if used, _ := f.st.AITokensUsed(f.ctx, f.user.ID, day); used != 100000 {
		t.Errorf("used %d tokens, want exactly the cap", used)
	}
}
