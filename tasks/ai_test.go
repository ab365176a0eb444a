package tasks_test

import (
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/ai/aitest"
	"github.com/otklik/otklik/plan"
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

// A model that is down loses nothing. The run writes every vacancy that
// passes the rule's own filters queued with the reason ai_unavailable and
// POSTs nothing; apply tasks while the model is still down change nothing
// but the attempt count; once it is back, each row is screened and sent
// with the model's letter, exactly once. Rows whose model stayed down for a
// day are decided without it: sent with the template's letter, saying so.
func TestModelOutageLosesNothing(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 12})
	var down atomic.Bool
	down.Store(true)
	fake := aitest.New(func(r aitest.Request) aitest.Answer {
		if down.Load() {
			return aitest.Answer{Status: 503}
		}
		name := ""
		if m := promptName.FindStringSubmatch(r.User); m != nil {
			name = m[1]
		}
		if strings.Contains(r.System, "You screen") {
			if rejects(name) {
				return aitest.Answer{Content: `{"match": false, "reason": "Не то"}`}
			}
			return aitest.Answer{Content: `{"match": true, "reason": "Подходит"}`}
		}
		return aitest.Answer{Content: "Письмо о вакансии «" + name + "»."}
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
	w := processor(e.newWorker(withAI))
	if err := w.ProcessTask(e.ctx, tasks.NewScheduledRuleRunTask(u.ID, r.ID, e.rule(r).NextRunAt.Unix()/60)); err != nil {
		t.Fatal(err)
	}
	waiting := e.ledger(u)[store.StatusQueued]
	if len(waiting) == 0 {
		t.Fatalf("nothing waits for the model\n%s", describe(e.ledger(u)))
	}
	for _, a := range waiting {
		if a.Reason != string(rules.ReasonAIUnavailable) {
			t.Errorf("vacancy %q queued with reason %q, want ai_unavailable", a.VacancyName, a.Reason)
		}
	}
	// sendAll runs each row's apply task until the row leaves the queue or
	// the task asks to be tried later for the model.
	sendAll := func(w *asynq.ServeMux, rows []store.Application) {
		t.Helper()
		for _, a := range rows {
			for try := 0; try < 100; try++ {
				err := w.ProcessTask(e.ctx, tasks.NewApplyTask(u.ID, a.ID, "t", tasks.QueueDefault, 0))
				b, gerr := e.store.Application(e.ctx, u.ID, a.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				if b.Status != store.StatusQueued || (err != nil && b.Reason == string(rules.ReasonAIUnavailable)) {
					break
				}
				time.Sleep(20 * time.Millisecond) // the account's pacing
			}
		}
	}
	sendAll(w, waiting)
	if n := len(e.sandbox.Applications()); n != 0 {
		t.Fatalf("%d applications reached hh while the model was down", n)
	}
	for _, a := range e.ledger(u)[store.StatusQueued] {
		if a.Reason != string(rules.ReasonAIUnavailable) {
			t.Errorf("vacancy %q: reason %q while the model is down", a.VacancyName, a.Reason)
		}
		if p, err := e.store.AIPendingFor(e.ctx, u.ID, a.ID); err != nil || p.Attempts < 2 {
			t.Errorf("vacancy %q: pending %+v, %v; want a second attempt recorded", a.VacancyName, p, err)
		}
	}

	// Half the rows: a day later, the model still down.
	half := len(waiting) / 2
	dayLater := processor(e.newWorker(withAI, func(d *tasks.Deps) {
		d.Now = func() time.Time { return time.Now().Add(plan.AIGiveUp + time.Minute) }
	}))
	sendAll(dayLater, waiting[:half])
	down.Store(false)
	sendAll(w, waiting[half:])

	applied := e.sandboxApplied(e.sandboxUser(u))
	ledger := e.ledger(u)
	if q := ledger[store.StatusQueued]; len(q) != 0 {
		t.Fatalf("%d rows still queued\n%s", len(q), describe(ledger))
	}
	gaveUp, byModel := 0, 0
	for _, a := range ledger[store.StatusApplied] {
		switch {
		case a.AINote == store.AINoteGaveUp:
			gaveUp++
			want := "Здравствуйте! Меня интересует вакансия " + a.VacancyName + "."
			if a.LetterBy != store.LetterByTemplateFallback || applied[a.VacancyID].Message != want {
				t.Errorf("vacancy %q after a day: letter %q by %q; want the template's", a.VacancyName, applied[a.VacancyID].Message, a.LetterBy)
			}
		default:
			byModel++
			if rejects(a.VacancyName) || a.LetterBy != store.LetterByAI || applied[a.VacancyID].Message != "Письмо о вакансии «"+a.VacancyName+"»." {
				t.Errorf("vacancy %q: letter %q by %q (rejected by the model: %v)", a.VacancyName, applied[a.VacancyID].Message, a.LetterBy, rejects(a.VacancyName))
			}
		}
	}
	for _, a := range ledger[store.StatusSkipped] {
		if a.Reason == string(rules.ReasonAIMismatch) && !rejects(a.VacancyName) {
			t.Errorf("vacancy %q skipped as a mismatch the model did not say", a.VacancyName)
		}
	}
	if gaveUp == 0 || byModel == 0 {
		t.Fatalf("gave up on %d, model decided %d: the scenario did not happen\n%s", gaveUp, byModel, describe(ledger))
	}
	if len(applied) != len(ledger[store.StatusApplied]) {
		t.Errorf("hh holds %d applications, the ledger %d applied", len(applied), len(ledger[store.StatusApplied]))
	}
}
