package plan

import (
	"context"
	"encoding/json"
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

// AI notes (Fate.AINote), as the row records them (store.AINote*).
const (
	AINoteCapSpent    AINote = store.AINoteCapSpent    // the user's daily tokens are spent: template letter, no screening
	AINoteUnavailable AINote = store.AINoteUnavailable // the model did not answer usably: the row waits, retried
	AINoteRejected    AINote = store.AINoteRejected    // the model's letter failed a check: the template's is used
	AINoteGaveUp      AINote = store.AINoteGaveUp      // the model failed on this vacancy for AIGiveUp: decided without it
)

// AIGiveUp is how long a row waits for a model that cannot judge or write
// for it (retried with backoff) before it is decided without the model:
// no screening, or the template's letter.
const AIGiveUp = 24 * time.Hour

// screen asks (or remembers) the model's verdict on v. ok false: a
// mismatch, with the model's one line. later: the model was unavailable,
// so the row waits for it (Fate.Pending).
func (p *Planner) screen(ctx context.Context, v *hh.Vacancy) (ok bool, reason string, note AINote, later bool, err error) {
	return p.verdict(ctx, v.ID, vacancyForAI(v))
}

func (p *Planner) verdict(ctx context.Context, vacancyID string, v ai.Vacancy) (ok bool, reason string, note AINote, later bool, err error) {
	kept, known, err := p.st.AIVerdictFor(ctx, p.rule.UserID, p.rule.ID, vacancyID)
	if err != nil {
		return false, "", "", false, err
	}
	if known {
		return kept.Match, kept.Reason, "", false, nil
	}
	verdict, err := p.model.Screen(ctx, p.rule.UserID, p.rule.AICriteria, v)
	switch {
	case errors.Is(err, ai.ErrCapSpent):
		return true, "", AINoteCapSpent, false, nil // no screening today
	case err != nil:
		slog.WarnContext(ctx, "ai screening unavailable", "rule_id", p.rule.ID, "vacancy_id", vacancyID, "error", err)
		return false, "", AINoteUnavailable, true, nil
	}
	if err := p.st.SaveAIVerdict(ctx, p.rule.UserID, p.rule.ID, vacancyID, store.AIVerdict{Match: verdict.Match, Reason: verdict.Reason}, p.now); err != nil {
		return false, "", "", false, err
	}
	return verdict.Match, verdict.Reason, "", false, nil
}

// aiInput is what a row waiting for the model keeps of its vacancy
// (store.AIPending.Vacancy): what the model is told, and whether Text is
// the full description or only the snippet.
type aiInput struct {
	Vacancy ai.Vacancy `json:"vacancy"`
	Full    bool       `json:"full"`
}

// pending turns f into a row that waits for the model's step: queued with
// the reason ai_unavailable, f's own status and reason kept for later.
func (p *Planner) pending(f Fate, step string, v *hh.Vacancy) Fate {
	in, _ := json.Marshal(aiInput{Vacancy: vacancyForAI(v), Full: v.Description != ""})
	f.Pending = &store.AIPending{Step: step, ThenStatus: f.Status, ThenReason: string(f.Reason), Vacancy: string(in)}
	f.Status, f.Reason, f.AINote = store.StatusQueued, rules.ReasonAIUnavailable, AINoteUnavailable
	return f
}

// Finish does the AI step the row a waits for (a is queued with the reason
// ai_unavailable, pend its step). done false: the model is still
// unavailable, step is what the row now waits for, and the caller retries
// later. A day after the first failure (AIGiveUp) the row is decided
// without the model instead: not screened, or the template's letter.
func (p *Planner) Finish(ctx context.Context, a *store.Application, pend *store.AIPending, vr Vacancies) (res store.AIResolution, step string, done bool, err error) {
	var in aiInput
	_ = json.Unmarshal([]byte(pend.Vacancy), &in) // a row without it is judged on its name alone
	if in.Vacancy.Name == "" {
		in.Vacancy = ai.Vacancy{Name: a.VacancyName, Employer: a.EmployerName, Salary: a.SalaryText}
	}
	giveUp := p.now.Sub(pend.FirstFailedAt) >= AIGiveUp
	res = store.AIResolution{Status: pend.ThenStatus, Reason: pend.ThenReason, Letter: a.Letter, LetterBy: a.LetterBy}
	step = pend.Step
	if step == store.AIStepScreen {
		if p.model != nil && p.rule.ScreensByAI() {
			ok, why, note, later, err := p.verdict(ctx, a.VacancyID, in.Vacancy)
			switch {
			case err != nil:
				return res, step, false, err
			case later && !giveUp:
				return res, step, false, nil
			case later:
				res.AINote = string(AINoteGaveUp)
			case !ok:
				return store.AIResolution{Status: store.StatusSkipped, Reason: string(rules.ReasonAIMismatch), Message: why}, step, true, nil
			default:
				res.AINote = string(note)
			}
		}
		step = store.AIStepLetter
	}
	if res.Letter == "" || p.model == nil || !p.aiLetters || !p.rule.LettersByAI() || res.Reason == string(rules.ReasonLetterTooLong) {
		return res, step, true, nil
	}
	v := in.Vacancy
	if !in.Full && vr != nil {
		full, err := vr.Vacancy(ctx, a.VacancyID)
		switch {
		case err == nil:
			v = vacancyForAI(full)
		case !hh.IsVacancyGone(err):
			return res, step, false, err // an hh failure: the task retries it
		}
	}
	resume, err := p.resumeForAI(ctx, vr)
	if err != nil {
		return res, step, false, err
	}
	letter, err := p.model.Letter(ctx, p.rule.UserID, resume, v, res.Letter)
	switch {
	case err == nil:
		res.Letter, res.LetterBy = letter, store.LetterByAI
	case errors.Is(err, ai.ErrCapSpent):
		res.LetterBy, res.AINote = store.LetterByTemplateFallback, string(AINoteCapSpent)
	case errors.Is(err, ai.ErrRejected):
		res.LetterBy, res.AINote = store.LetterByTemplateFallback, string(AINoteRejected)
	case giveUp:
		res.LetterBy, res.AINote = store.LetterByTemplateFallback, string(AINoteGaveUp)
	default:
		slog.WarnContext(ctx, "ai letter unavailable", "rule_id", p.rule.ID, "vacancy_id", a.VacancyID, "error", err)
		return res, step, false, nil
	}
	return res, step, true, nil
}

// AIRetryDelay is how long a row waiting for the model waits before its
// next attempt: doubling from a minute, at most an hour.
func AIRetryDelay(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// resumeDetailsFresh is how long a resume's skills and experience are
// trusted before they are read from hh again.
const resumeDetailsFresh = 24 * time.Hour

// Resumes reads a resume in full (GET /resumes/{id}); *hh.Client is one.
type Resumes interface {
	Resume(ctx context.Context, id string) (*hh.ResumeDetail, error)
}

// resumeForAI is what a letter is written from: the resume's title, and
// its skills and experience, read from hh once a day through vr (when it
// can read resumes) and kept in the store. Without them the title alone.
func (p *Planner) resumeForAI(ctx context.Context, vr Vacancies) (ai.Resume, error) {
	r := ai.Resume{Title: p.resumeTitle}
	kept, err := p.st.ResumeDetailsOf(ctx, p.rule.UserID, p.rule.ResumeID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return r, err
	}
	if kept != nil && p.now.Sub(kept.FetchedAt) < resumeDetailsFresh {
		r.Skills, r.Experience = kept.Skills, kept.Experience
		return r, nil
	}
	rr, ok := vr.(Resumes)
	if !ok || vr == nil {
		if kept != nil {
			r.Skills, r.Experience = kept.Skills, kept.Experience
		}
		return r, nil
	}
	d, err := rr.Resume(ctx, p.rule.ResumeID)
	if err != nil {
		if kept != nil { // yesterday's details beat none
			r.Skills, r.Experience = kept.Skills, kept.Experience
			return r, nil
		}
		if hh.IsRetryable(err) || hh.IsTokenExpired(err) {
			return r, err
		}
		slog.WarnContext(ctx, "resume details not read; the letter is written from the title", "rule_id", p.rule.ID, "error", err)
		return r, nil
	}
	if d.Title != "" {
		r.Title = d.Title
	}
	r.Skills, r.Experience = d.SkillsText(), d.ExperienceText()
	if err := p.st.SaveResumeDetails(ctx, p.rule.UserID, p.rule.ResumeID,
		store.ResumeDetails{Skills: r.Skills, Experience: r.Experience, FetchedAt: p.now}); err != nil {
		return r, err
	}
	return r, nil
}

// aiLetter has the model write the letter to v from the resume, the full
// vacancy (read through vr) and the template's letter tmplLetter. On any
// failure the template's letter stands, and note says why.
func (p *Planner) aiLetter(ctx context.Context, v *hh.Vacancy, vr Vacancies, tmplLetter string) (letter, by string, note AINote, full *hh.Vacancy, err error) {
	full = v
	if v.Description == "" && vr != nil {
		f, err := vr.Vacancy(ctx, v.ID)
		if err != nil && !hh.IsVacancyGone(err) {
			return "", "", "", nil, err // an hh failure: the run handles it as any other
		}
		if err == nil {
			full = f
		}
	}
	resume, err := p.resumeForAI(ctx, vr)
	if err != nil {
		return "", "", "", nil, err
	}
	letter, err = p.model.Letter(ctx, p.rule.UserID, resume, vacancyForAI(full), tmplLetter)
	switch {
	case err == nil:
		return letter, store.LetterByAI, "", full, nil
	case errors.Is(err, ai.ErrCapSpent):
		note = AINoteCapSpent
	case errors.Is(err, ai.ErrRejected):
		note = AINoteRejected
	default:
		note = AINoteUnavailable
	}
	slog.WarnContext(ctx, "ai letter not used", "rule_id", p.rule.ID, "vacancy_id", v.ID, "note", string(note), "error", err)
	return tmplLetter, store.LetterByTemplateFallback, note, full, nil
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
