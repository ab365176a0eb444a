package tasks_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/ai/aitest"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

var promptName = regexp.MustCompile(`(?m)^Name: (.*)$`)

// rejects is the fake model's taste: it turns down every vacancy whose
// name has an even number of characters.
func rejects(name string) bool { return len([]rune(name))%2 == 0 }

// With a real worker against the hh sandbox and a fake model: screening
// skips exactly the vacancies the model rejects, with its reasons; the
// letters the model writes are the ones POSTed to hh; a rerun asks the
// model nothing new.
func TestAIScreensAndWritesLettersThatReachHH(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 40})
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		m := promptName.FindStringSubmatch(r.User)
		name := ""
		if m != nil {
			name = m[1]
		}
		if strings.Contains(r.System, "You screen") {
			if rejects(name) {
				return aitest.Answer{Content: `{"match": false, "reason": "Не то: ` + name + `"}`}
			}
			return aitest.Answer{Content: `{"match": true, "reason": "Подходит"}`}
		}
		return aitest.Answer{Content: "Здравствуйте! Пишу вам о вакансии «" + name + "»."}
	})
	t.Cleanup(fake.Close)
	model := ai.New(ai.Config{BaseURL: fake.BaseURL(), Model: "test", DailyTokens: 10_000_000}, e.store)
	withAI := func(d *tasks.Deps) { d.AI = model }

	u, resume := e.connect("anna@example.com", 0)
	r := e.addRule(u, resume, func(r *rules.Rule) {
		r.Mode = rules.ModeAuto
		r.LetterSource = rules.LetterSourceAI
		r.LetterTemplate = "Здравствуйте! Меня интересует вакансия {vacancy}."
		r.AIScreen, r.AICriteria = true, "Только удалёнка"
	})
	e.startWorker(withAI)
	if err := processor(e.newWorker(withAI)).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, e.rule(r).NextRunAt.Unix()/60)); err != nil {
		t.Fatal(err)
	}
	e.waitSettled([]*store.User{u}, 30*time.Second)

	applied := e.sandboxApplied(e.sandboxUser(u))
	mismatches, aiLetters := 0, 0
	for st, rows := range e.ledger(u) {
		for _, a := range rows {
			switch {
			case a.Reason == string(rules.ReasonAIMismatch):
				mismatches++
				if !rejects(a.VacancyName) || a.Message != "Не то: "+a.VacancyName {
					t.Errorf("vacancy %q skipped as a mismatch with %q", a.VacancyName, a.Message)
				}
			case st == store.StatusApplied:
				if rejects(a.VacancyName) {
					t.Errorf("vacancy %q the model rejected was applied to", a.VacancyName)
				}
				want := "Здравствуйте! Пишу вам о вакансии «" + a.VacancyName + "»."
				if a.LetterBy != store.LetterByAI || a.Letter != want || applied[a.VacancyID].Message != want {
					t.Errorf("vacancy %q: letter %q by %q, hh got %q; want the model's", a.VacancyName, a.Letter, a.LetterBy, applied[a.VacancyID].Message)
				}
				aiLetters++
			}
		}
	}
	if mismatches == 0 || aiLetters == 0 {
		t.Fatalf("%d mismatches, %d AI letters sent: the scenario did not happen\n%s", mismatches, aiLetters, describe(e.ledger(u)))
	}
	e.assertLettersSent()

	calls := fake.Calls()
	sr := e.rule(r)
	if err := processor(e.newWorker(withAI)).ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, sr.NextRunAt.Unix()/60+1)); err != nil {
		t.Fatal(err)
	}
	if fake.Calls() != calls {
		t.Errorf("a rerun asked the model %d more times, want none", fake.Calls()-calls)
	}
}
