// Package plan decides what becomes of each vacancy a rule's search finds:
// Decide's verdict, the letter, the rule's daily cap and, for a vacancy with
// an employer's test, whether that test is required. It is the one pipeline
// behind both a rule run (tasks) and its preview (web), so the preview shows
// exactly what a run started now would do.
package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// DailyWindow is hh's rolling window for the application limit, and the
// window of a rule's daily cap.
const DailyWindow = 24 * time.Hour

// DailyLimit is hh's limit of applications per applicant in a rolling 24
// hours, and the cap of a rule without one.
const DailyLimit = 200

// testFresh is how long a vacancy's "is the test required" answer is
// trusted: employers rarely change a test once it is published.
const testFresh = 7 * 24 * time.Hour

// Fate is what becomes of one vacancy.
type Fate struct {
	// Decision is rules.Decide's verdict, after the test was looked up.
	Decision rules.Decision
	// Status is the ledger status the row gets: queued (to apply), review
	// or skipped; "" when Later.
	Status store.ApplicationStatus
	// Reason is the code the row records; "" when queued.
	Reason rules.Reason
	// Letter is the rendered letter: the one sent, or the draft in review.
	Letter string
	// Later: the rule's daily cap is spent, or the AI screening could not
	// be done now (AINote says so), so a later run decides it.
	Later bool
	// Message is the model's one line on a vacancy it judged a mismatch.
	Message string
	// LetterBy says who wrote Letter (store.LetterByAI, …; "" the template).
	LetterBy string
	// AINote says what became of the AI for this vacancy ("" nothing to say).
	AINote AINote
	// Pending is set when the model did not answer usably: the row is
	// written queued with the reason ai_unavailable and waits for this AI
	// step (Resume finishes it), Status and Reason say so.
	Pending *store.AIPending
}

// Vacancies reads a full vacancy (GET /vacancies/{id}); *hh.Client is one.
type Vacancies interface {
	Vacancy(ctx context.Context, id string) (*hh.Vacancy, error)
}

// Planner plans the vacancies of one rule for one run or preview. It is not
// safe for concurrent use.
type Planner struct {
	st          *store.Store
	tests       *Tests
	rule        *store.Rule
	tmpl        *rules.Template
	first, last string
	resumeTitle string
	left        int // the rule's daily cap left
	now         time.Time
	// discarded are the employers who discarded this person within
	// rules.DiscardMemory, when the rule skips them.
	discarded map[string]bool
	// model is the AI (nil: none); aiLetters: it writes the letters of a
	// rule with letter_source=ai.
	model     Model
	aiLetters bool
}

// Tests answers whether vacancies' tests are required: from the instance's
// cache in the store, else from hh, one request at a time per vacancy in
// this process however many runs plan it at once. Make one per process and
// share it between planners.
type Tests struct {
	st     *store.Store
	flight singleflight.Group
}

// NewTests is the test lookup over st's cache.
func NewTests(st *store.Store) *Tests { return &Tests{st: st} }

// New prepares a plan of rule's vacancies at now for the account acct (whose
// name goes into letters): the letter template, the resume's title, and how
// much of the rule's daily cap is left. tests is the process's lookup of
// employers' tests.
func New(ctx context.Context, st *store.Store, tests *Tests, rule *store.Rule, acct *store.HHAccount, now time.Time) (*Planner, error) {
	p := &Planner{st: st, tests: tests, rule: rule, now: now}
	if acct != nil {
		p.first, p.last = acct.FirstName, acct.LastName
	}
	if rule.HasTemplate() {
		var err error
		if p.tmpl, err = rules.ParseTemplate(rule.LetterTemplate); err != nil {
			return nil, fmt.Errorf("plan: rule %d letter template: %w", rule.ID, err)
		}
	}
	p.resumeTitle = resumeTitle(ctx, st, rule.UserID, rule.ResumeID)
	left, err := CapLeft(ctx, st, rule, now)
	if err != nil {
		return nil, err
	}
	p.left = left
	if rule.SkipDiscardedEmployers {
		if p.discarded, err = st.DiscardedEmployers(ctx, rule.UserID, now.Add(-rules.DiscardMemory)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CapLeft is how many more vacancies the rule may take on at now: its daily
// cap less what it applied in the last 24 hours, what it has queued, and
// what it put in review in the last 24 hours (so the person's queue stays
// short too).
func CapLeft(ctx context.Context, st *store.Store, rule *store.Rule, now time.Time) (int, error) {
	limit := rule.DailyLimit
	if limit <= 0 {
		limit = DailyLimit
	}
	applied, queued, review, err := st.RuleLoad(ctx, rule.UserID, rule.ID, now.Add(-DailyWindow))
	if err != nil {
		return 0, err
	}
	return limit - applied - queued - review, nil
}

// CapLeft is what is left of the rule's daily cap after the vacancies
// planned so far.
func (p *Planner) CapLeft() int { return p.left }

// Plan decides vacancy v found by the rule; known says the ledger already
// has a row for it (it is then skipped as already decided). A vacancy with
// an employer's test the rule would otherwise apply to is read in full
// through vr (once per vacancy for the whole instance: the answer is kept)
// to learn whether the test is required. Every vacancy not skipped takes
// one place in the rule's daily cap; past the cap, Fate.Later.
func (p *Planner) Plan(ctx context.Context, v *hh.Vacancy, known bool, vr Vacancies) (Fate, error) {
	d := rules.Decide(v, &p.rule.Rule, rules.DecideInput{AlreadyDecided: known})
	if d.Action != rules.ActionSkip && v.Employer.ID != "" && p.discarded[v.Employer.ID] {
		d = rules.Decision{Action: rules.ActionSkip, Reason: rules.ReasonEmployerDiscarded}
	}
	if d.Action != rules.ActionSkip && p.left <= 0 {
		return Fate{Decision: d, Later: true}, nil // no request for a vacancy decided later
	}
	if d.Reason == rules.ReasonTestRequired && v.Test == nil && p.wouldApplyWithoutTest(v) {
		required, gone, err := p.testRequired(ctx, v.ID, vr)
		if err != nil {
			return Fate{}, err
		}
		if gone != "" {
			return Fate{Decision: rules.Decision{Action: rules.ActionSkip, Reason: gone},
				Status: store.StatusSkipped, Reason: gone}, nil
		}
		withTest := *v
		withTest.Test = &hh.VacancyTest{Required: required}
		d = rules.Decide(&withTest, &p.rule.Rule, rules.DecideInput{})
	}
	var note AINote
	screenLater := false
	if d.Action != rules.ActionSkip && p.model != nil && p.rule.ScreensByAI() {
		ok, why, n, later, err := p.screen(ctx, v)
		if err != nil {
			return Fate{}, err
		}
		note, screenLater = n, later
		if !ok && !later {
			d = rules.Decision{Action: rules.ActionSkip, Reason: rules.ReasonAIMismatch, Detail: why}
			return Fate{Decision: d, Status: store.StatusSkipped, Reason: d.Reason, Message: why}, nil
		}
	}
	f := p.fate(ctx, d, v, note)
	if f.Status == store.StatusSkipped {
		return f, nil
	}
	if screenLater {
		p.left--
		return p.pending(f, store.AIStepScreen, v), nil
	}
	if f.Letter != "" && p.model != nil && p.aiLetters && p.rule.LettersByAI() && f.Reason != rules.ReasonLetterTooLong {
		letter, by, n, full, err := p.aiLetter(ctx, v, vr, f.Letter)
		if err != nil {
			return Fate{}, err
		}
		if n == AINoteUnavailable {
			p.left--
			return p.pending(f, store.AIStepLetter, full), nil
		}
		f.Letter, f.LetterBy = letter, by
		if n != "" {
			f.AINote = n
		}
	}
	p.left--
	return f, nil
}

// fate is what becomes of v once decided d (not a skip by the model): the
// row's status, reason and the template's letter.
func (p *Planner) fate(_ context.Context, d rules.Decision, v *hh.Vacancy, note AINote) Fate {
	f := Fate{Decision: d, Reason: d.Reason, AINote: note}
	switch d.Action {
	case rules.ActionSkip:
		f.Status = store.StatusSkipped
	case rules.ActionReview:
		f.Status = store.StatusReview
		if p.tmpl != nil {
			f.Letter, _ = p.tmpl.Render(p.letterData(v))
		}
	case rules.ActionApply:
		f.Status = store.StatusQueued
		if p.tmpl != nil {
			letter, err := p.tmpl.Render(p.letterData(v))
			f.Letter = letter
			switch {
			case errors.Is(err, rules.ErrLetterTooLong):
				f.Status, f.Reason = store.StatusReview, rules.ReasonLetterTooLong
			case err != nil:
				// Never send without the letter the template promised.
				f.Status, f.Reason = store.StatusReview, rules.ReasonLetterRequired
			}
		}
	}
	return f
}

// Unplan gives back the cap place a fate took when its row turned out to
// exist already (another run decided the vacancy first).
func (p *Planner) Unplan(f Fate) {
	if f.Status == store.StatusQueued || f.Status == store.StatusReview {
		p.left++
	}
}

// wouldApplyWithoutTest: only then is the test worth a request. A vacancy
// held for review anyway (a letter to write, the employer's site, mode
// review) goes to the person whatever the test is.
func (p *Planner) wouldApplyWithoutTest(v *hh.Vacancy) bool {
	noTest := *v
	noTest.HasTest = false
	return rules.Decide(&noTest, &p.rule.Rule, rules.DecideInput{}).Action == rules.ActionApply
}

// testRequired reads whether vacancy id's test is required. gone is the
// reason to skip a vacancy hh no longer offers (removed or archived since
// the search).
func (p *Planner) testRequired(ctx context.Context, id string, vr Vacancies) (required bool, gone rules.Reason, err error) {
	type answer struct {
		required bool
		gone     rules.Reason
	}
	v, err, shared := p.tests.flight.Do(id, func() (any, error) {
		required, gone, err := p.tests.lookup(ctx, id, vr, p.now)
		return answer{required, gone}, err
	})
	if err != nil && shared {
		// Another run's request failed (its token, its deadline): ask with
		// this run's own client.
		return p.tests.lookup(ctx, id, vr, p.now)
	}
	if err != nil {
		return false, "", err
	}
	a := v.(answer)
	return a.required, a.gone, nil
}

// lookup reads the cache, else hh (and keeps the answer).
func (t *Tests) lookup(ctx context.Context, id string, vr Vacancies, now time.Time) (required bool, gone rules.Reason, err error) {
	required, known, err := t.st.VacancyTestRequired(ctx, id, now.Add(-testFresh))
	if err != nil || known {
		return required, "", err
	}
	full, err := vr.Vacancy(ctx, id)
	if hh.IsVacancyGone(err) {
		return false, rules.ReasonVacancyGone, nil
	}
	if err != nil {
		return false, "", fmt.Errorf("plan: read vacancy %s: %w", id, err)
	}
	if full.Archived {
		return false, rules.ReasonArchived, nil
	}
	// A test hh does not describe is taken as required, as Decide does.
	required = full.Test == nil || full.Test.Required
	if err := t.st.SaveVacancyTest(ctx, id, required, now); err != nil {
		return false, "", err
	}
	return required, "", nil
}

func (p *Planner) letterData(v *hh.Vacancy) rules.LetterData {
	return rules.LetterDataFor(v, p.first, p.last, p.resumeTitle)
}

// resumeTitle is the cached title of the user's resume, "" when unknown.
func resumeTitle(ctx context.Context, st *store.Store, userID int64, resumeID string) string {
	list, err := st.Resumes(ctx, userID)
	if err != nil {
		return ""
	}
	for _, r := range list {
		if r.ID == resumeID {
			return r.Title
		}
	}
	return ""
}
