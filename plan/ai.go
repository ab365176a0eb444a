package plan

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// Model is the AI the planner asks (*ai.Client is one): letters written per
// vacancy and verdicts against the person's criteria.
type Model interface {
	Letter(ctx context.Context, userID int64, r ai.Resume, v ai.Vacancy, templateLetter string) (string, error)
	Screen(ctx context.Context, userID int64, criteria string, v ai.Vacancy) (ai.Verdict, error)
}

// UseAI makes the planner screen with m when the rule asks for it and,
// when letters is true, have m write the rule's letters (a preview passes
// false: it shows verdicts, and writes no letters nobody will send). A nil
// m (no AI_BASE_URL) leaves the planner as it was.
func (p *Planner) UseAI(m Model, letters bool) {
	p.model, p.aiLetters = m, letters
}

// AINote says what became of the AI in a fate, for the person: the cap was
// spent, or the model failed and a fallback was used.
type AINote string

// AI notes (Fate.AINote).
const (
	AINoteCapSpent    AINote = "cap_spent"   // the user's daily tokens are spent: template letter, no screening
	AINoteUnavailable AINote = "unavailable" // the model did not answer usably: retried by a later run
	AINoteRejected    AINote = "rejected"    // the model's letter failed a check: the template's is used
	AINoteGaveUp      AINote = "gave_up"     // the model failed on this vacancy for AIGiveUp: not screened
)

// AIGiveUp is how long a vacancy the model cannot judge waits for it
// (retried by each later run) before it is decided without screening.
const AIGiveUp = 24 * time.Hour

// screen asks (or remembers) the model's verdict on v. ok false: a
// mismatch, with the model's one line. later: the model was unavailable,
// so a later run decides the vacancy (nothing is recorded, nothing lost).
func (p *Planner) screen(ctx context.Context, v *hh.Vacancy) (ok bool, reason string, note AINote, later bool, err error) {
	kept, known, err := p.st.AIVerdictFor(ctx, p.rule.UserID, p.rule.ID, v.ID)
	if err != nil {
		return false, "", "", false, err
	}
	if known {
		return kept.Match, kept.Reason, "", false, nil
	}
	verdict, err := p.model.Screen(ctx, p.rule.UserID, p.rule.AICriteria, vacancyForAI(v))
	switch {
	case errors.Is(err, ai.ErrCapSpent):
		return true, "", AINoteCapSpent, false, nil // no screening today
	case err != nil:
		slog.WarnContext(ctx, "ai screening unavailable", "rule_id", p.rule.ID, "vacancy_id", v.ID, "error", err)
		first, ferr := p.st.AIFailedSince(ctx, p.rule.UserID, p.rule.ID, v.ID, p.now)
		if ferr != nil {
			return false, "", "", false, ferr
		}
		if p.now.Sub(first) >= AIGiveUp {
			return true, "", AINoteGaveUp, false, nil // a day of failures: the rule's own filters decide
		}
		return false, "", AINoteUnavailable, true, nil
	}
	if err := p.st.SaveAIVerdict(ctx, p.rule.UserID, p.rule.ID, v.ID, store.AIVerdict{Match: verdict.Match, Reason: verdict.Reason}, p.now); err != nil {
		return false, "", "", false, err
	}
	return verdict.Match, verdict.Reason, "", false, nil
}

// aiLetter has the model write the letter to v from the resume, the full
// vacancy (read through vr) and the template's letter tmplLetter. On any
// failure the template's letter stands, and note says why.
func (p *Planner) aiLetter(ctx context.Context, v *hh.Vacancy, vr Vacancies, tmplLetter string) (letter, by string, note AINote, err error) {
	full := v
	if v.Description == "" && vr != nil {
		f, err := vr.Vacancy(ctx, v.ID)
		if err != nil && !hh.IsVacancyGone(err) {
			return "", "", "", err // an hh failure: the run handles it as any other
		}
		if err == nil {
			full = f
		}
	}
	resume := ai.Resume{Title: p.resumeTitle}
	letter, err = p.model.Letter(ctx, p.rule.UserID, resume, vacancyForAI(full), tmplLetter)
	switch {
	case err == nil:
		return letter, store.LetterByAI, "", nil
	case errors.Is(err, ai.ErrCapSpent):
		note = AINoteCapSpent
	case errors.Is(err, ai.ErrRejected):
		note = AINoteRejected
	default:
		note = AINoteUnavailable
	}
	slog.WarnContext(ctx, "ai letter not used", "rule_id", p.rule.ID, "vacancy_id", v.ID, "note", string(note), "error", err)
	return tmplLetter, store.LetterByTemplateFallback, note, nil
}

var tag = regexp.MustCompile(`<[^>]*>`)

// text is hh's untrusted HTML as plain text.
func text(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tag.ReplaceAllString(s, " "))), " ")
}

// vacancyForAI is what the model is told of v: its name, employer, salary
// and the full description when read, else the snippet.
func vacancyForAI(v *hh.Vacancy) ai.Vacancy {
	out := ai.Vacancy{Name: v.Name, Employer: v.Employer.Name, Salary: rules.FormatSalary(rules.VacancySalary(v), "ru")}
	if v.Description != "" {
		out.Text = text(v.Description)
		var skills []string
		for _, k := range v.KeySkills {
			skills = append(skills, k.Name)
		}
		if len(skills) > 0 {
			out.Text += "\nKey skills: " + strings.Join(skills, ", ")
		}
		return out
	}
	var parts []string
	for _, s := range []*string{v.Snippet.Requirement, v.Snippet.Responsibility} {
		if s != nil {
			parts = append(parts, text(*s))
		}
	}
	out.Text = strings.Join(parts, "\n")
	return out
}
