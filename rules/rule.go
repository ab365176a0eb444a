// Package rules is Otklik's judgement: saved search rules and their
// validation, the hh search a rule makes, the decision taken for each vacancy,
// and cover-letter templates. It does no I/O.
package rules

import (
	"strings"
	"time"
)

// Mode says what a rule does with vacancies it could apply to.
type Mode string

// Rule modes.
const (
	// ModeLetters applies what needs no letter and holds every vacancy whose
	// employer asked for a letter in review, with the template's draft.
	ModeLetters Mode = "letters"
	// ModeAuto applies everything that can be applied, sending the template's
	// letter where one is required.
	ModeAuto Mode = "auto"
	// ModeReview holds everything for a person.
	ModeReview Mode = "review"
)

// Rule is a saved search over hh's "vacancies similar to my resume" plus the
// local filters hh cannot do, the mode, the letter template, a daily cap and a
// schedule. Field names follow the web form (docs/ARCHITECTURE.md, "Contracts").
type Rule struct {
	ID     int64
	UserID int64

	Name     string
	ResumeID string

	// hh search filters.
	Text                string
	Areas               []string
	Salary              int // 0: no salary filter
	Currency            string
	OnlyWithSalary      bool
	Experience          []string
	Employment          []string
	Schedule            []string
	ProfessionalRoles   []string
	ExcludedEmployerIDs []string

	// Local filters: words that must not occur in a vacancy title
	// (case-insensitive substrings, ё folded to е).
	ExcludeWords []string
	// ExcludeWordsInDescription: the exclude words are matched in the
	// vacancy's description too (as far as hh sends it: the full text, or
	// in a search the excerpts of requirements and responsibilities).
	ExcludeWordsInDescription bool
	// SkipDiscardedEmployers: an employer who discarded this person's
	// application in the last DiscardMemory is skipped with
	// ReasonEmployerDiscarded. On by default for new rules.
	SkipDiscardedEmployers bool

	Mode           Mode
	LetterTemplate string
	DailyLimit     int // 1–200 applications a day

	// Schedule: every EveryHours hours (1–24) between ActiveFrom and ActiveTo
	// ("HH:MM", in the user's time zone; ActiveFrom > ActiveTo spans midnight).
	EveryHours int
	ActiveFrom string
	ActiveTo   string

	Enabled bool

	// AI (issue 18; only with a model configured): where letters come
	// from, and whether the model screens vacancies against AICriteria.
	LetterSource LetterSource
	AIScreen     bool
	AICriteria   string
}

// Valid reports whether m is one of the three modes.
func (m Mode) Valid() bool {
	return m == ModeLetters || m == ModeAuto || m == ModeReview
}

// Limits of a rule's fields, shared by validation and the web form.
const (
	MaxNameRunes        = 100
	MaxTextRunes        = 2000
	MaxSalary           = 100_000_000
	MaxExcludeWords     = 50
	MaxExcludeWordRunes = 100
	MinDailyLimit       = 1
	MaxDailyLimit       = 200
	MinEveryHours       = 1
	MaxEveryHours       = 24
	// MaxListValues bounds each repeatable filter (areas, roles, excluded
	// employers...): hh refuses very long query strings.
	MaxListValues = 100
)

// Defaults returns the values a new rule form starts from: mode letters
// (the default: a letter the employer asked for waits for a person), a modest daily cap, a run every four hours in the daytime.
func Defaults() Rule {
	return Rule{
		Currency:   "RUR",
		Mode:       ModeLetters,
		DailyLimit: 50,
		EveryHours: 4,
		ActiveFrom: "09:00",
		ActiveTo:   "21:00",
		Enabled:    true,

		SkipDiscardedEmployers: true,
		LetterSource:           LetterSourceTemplate,
	}
}

// EffectiveMode is the mode Decide acts on: an empty or unknown mode (a row
// written before validation, say) counts as the default, letters, which never
// sends a letter unseen.
func (r *Rule) EffectiveMode() Mode {
	if r.Mode.Valid() {
		return r.Mode
	}
	return ModeLetters
}

// HasTemplate reports whether the rule has a letter template with anything
// in it; a blank template renders to an empty letter, which hh refuses.
func (r *Rule) HasTemplate() bool {
	return strings.TrimSpace(r.LetterTemplate) != ""
}

// DiscardMemory is how long an employer's rejection keeps that employer's
// vacancies away from a rule with SkipDiscardedEmployers.
const DiscardMemory = 90 * 24 * time.Hour

// FieldSkipDiscardedEmployers is the rule form's checkbox for
// Rule.SkipDiscardedEmployers.
const FieldSkipDiscardedEmployers = "skip_discarded_employers"
