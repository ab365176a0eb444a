// Package rules is Otklik's judgement: saved search rules and their
// validation, the hh search a rule makes, the decision taken for each vacancy,
// and cover-letter templates. It does no I/O.
package rules

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
// schedule. Field names follow the web form (DESIGN.md, "Rule form fields").
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

	Mode           Mode
	LetterTemplate string
	DailyLimit     int // 1–200 applications a day

	// Schedule: every EveryHours hours (1–24) between ActiveFrom and ActiveTo
	// ("HH:MM", in the user's time zone; ActiveFrom > ActiveTo spans midnight).
	EveryHours int
	ActiveFrom string
	ActiveTo   string

	Enabled bool
}
