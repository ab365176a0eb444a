package tasks_test

import (
	"testing"
	"time"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// Three people with different rules end with exactly the applications,
// review items and skips their rules call for, each letter as the template
// renders it, and no vacancy that asked for a letter applied to without one.
func TestThreeUsersGetWhatTheirRulesSay(t *testing.T) {
	e := newEnv(t, envOptions{vacancies: 150})
	ivan, ivanResume := e.connect("ivan@example.com", 0)
	anna, annaResume := e.connect("anna@example.com", 1)
	dima, dimaResume := e.connect("dima@example.com", 2)

	// Иван: developers, no senior or lead roles, everything sent with his
	// letter, including to employers who asked for one.
	ivanRule := e.addRule(ivan, ivanResume, func(r *rules.Rule) {
		r.Name = "Разработка"
		r.Text = "разработчик"
		r.ExcludeWords = []string{"senior", "ведущий"}
		r.Mode = rules.ModeAuto
		r.LetterTemplate = "Здравствуйте, {company}!\nМеня заинтересовала вакансия «{vacancy}» ({area}).\nМоё резюме: {resume}.\n{first_name} {last_name}"
	})
	// Анна: anything in Moscow or St Petersburg, letters held for her.
	annaRule := e.addRule(anna, annaResume, func(r *rules.Rule) {
		r.Name = "Москва и Петербург"
		r.Areas = []string{"1", "2"}
		r.Mode = rules.ModeLetters
		r.ExcludeWords = []string{"бухгалтер"}
	})
	// Дмитрий: managers, everything held for review with a draft.
	dimaRule := e.addRule(dima, dimaResume, func(r *rules.Rule) {
		r.Name = "Менеджер"
		r.Text = "менеджер"
		r.Mode = rules.ModeReview
		r.LetterTemplate = "Добрый день! Прошу рассмотреть меня на вакансию «{vacancy}» в {company}."
	})

	// Анна already has an invitation and a rejection on two vacancies her
	// rule finds: those are skipped with their reasons.
	annaWant := e.expect(anna, annaRule)
	var marked []string
	for id, x := range annaWant {
		if x.status == store.StatusApplied && len(marked) < 2 {
			marked = append(marked, id)
		}
	}
	if len(marked) < 2 {
		t.Fatalf("Анна's rule finds too few vacancies to apply to: %d", len(marked))
	}
	if err := e.sandbox.SetRelation(e.sandboxUser(anna), marked[0], "got_invitation"); err != nil {
		t.Fatal(err)
	}
	if err := e.sandbox.SetRelation(e.sandboxUser(anna), marked[1], "got_rejection"); err != nil {
		t.Fatal(err)
	}

	want := map[int64]map[string]expected{
		ivan.ID: e.expect(ivan, ivanRule),
		anna.ID: e.expect(anna, annaRule),
		dima.ID: e.expect(dima, dimaRule),
	}
	// The scenario must exercise what it claims to.
	checks := []struct {
		what string
		ok   bool
	}{
		{"Иван applies to some vacancies", countStatus(want[ivan.ID], store.StatusApplied) > 0},
		{"Иван skips some by exclude word", hasReason(want[ivan.ID], rules.ReasonExcludedWord)},
		{"Иван sends letters employers asked for", letterRequiredApplied(e, want[ivan.ID])},
		{"Анна applies to some vacancies", countStatus(want[anna.ID], store.StatusApplied) > 0},
		{"Анна holds letters for review", hasReason(want[anna.ID], rules.ReasonLetterRequired)},
		{"Анна skips an invitation", hasReason(want[anna.ID], rules.ReasonGotInvitation)},
		{"Анна skips a rejection", hasReason(want[anna.ID], rules.ReasonGotRejection)},
		{"Дмитрий applies to nothing", countStatus(want[dima.ID], store.StatusApplied) == 0},
		{"Дмитрий reviews some", hasReason(want[dima.ID], rules.ReasonModeReview)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Fatalf("scenario does not hold: %s", c.what)
		}
	}

	e.startWorker()
	e.startWorker() // two worker processes share the queue
	jobs := tasks.Jobs{Queue: e.queue, Store: e.store}
	for _, p := range []struct {
		u *store.User
		r *rules.Rule
	}{{ivan, ivanRule}, {anna, annaRule}, {dima, dimaRule}} {
		if err := jobs.RunRule(e.ctx, p.u.ID, p.r.ID); err != nil {
			t.Fatal(err)
		}
	}
	users := []*store.User{ivan, anna, dima}
	e.waitSettled(users, 90*time.Second)

	for _, u := range users {
		l := e.ledger(u)
		t.Logf("%s: %s", u.Email, describe(l))
		e.assertLedger(u, want[u.ID])
		e.assertLedgerMatchesSandbox(u)
		for _, a := range l[store.StatusReview] {
			if !rules.Reason(a.Reason).Known() {
				t.Errorf("%s: review item %s has no known reason: %q", u.Email, a.VacancyID, a.Reason)
			}
		}
		for _, a := range l[store.StatusSkipped] {
			if !rules.Reason(a.Reason).Known() {
				t.Errorf("%s: skipped %s has no known reason: %q", u.Email, a.VacancyID, a.Reason)
			}
		}
	}
	e.assertNoDoubleApply(false)
	e.assertLettersSent()
}

func hasReason(want map[string]expected, r rules.Reason) bool {
	for _, x := range want {
		if x.reason == string(r) {
			return true
		}
	}
	return false
}

// letterRequiredApplied: some vacancy that asked for a letter is to be
// applied to (with the template's letter).
func letterRequiredApplied(e *env, want map[string]expected) bool {
	for id, x := range want {
		if v, ok := e.sandbox.Vacancy(id); ok && v.ResponseLetterRequired && x.status == store.StatusApplied {
			return true
		}
	}
	return false
}
