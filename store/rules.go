package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/otklik/otklik/rules"
)

// Rule is a saved rule with the scheduler's bookkeeping.
type Rule struct {
	rules.Rule
	// NextRunAt is when the scheduler next runs the rule.
	NextRunAt time.Time
	// LastRunAt is when the last run started (zero: never).
	LastRunAt time.Time
	// LastCompletedRunAt is the time passed to the last CompleteRuleRun; a
	// scheduled run stops paging at vacancies older than it (zero: never).
	LastCompletedRunAt time.Time
	// LastFullPassAt is when the last run that paged to hh's depth limit completed.
	LastFullPassAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RuleRef names a rule for the scheduler; tasks carry IDs only.
type RuleRef struct {
	UserID int64 `db:"user_id"`
	RuleID int64 `db:"id"`
}

// stringList is a []string kept as a JSON array in a TEXT column.
type stringList []string

func (l stringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *stringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*l = nil
		return nil
	default:
		return fmt.Errorf("string list from %T", src)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("string list: %w", err)
	}
	if len(out) == 0 {
		out = nil
	}
	*l = out
	return nil
}

type ruleRow struct {
	ID                  int64      `db:"id"`
	UserID              int64      `db:"user_id"`
	Name                string     `db:"name"`
	ResumeID            string     `db:"resume_id"`
	Text                string     `db:"text"`
	Areas               stringList `db:"areas"`
	Salary              int        `db:"salary"`
	Currency            string     `db:"currency"`
	OnlyWithSalary      bool       `db:"only_with_salary"`
	Experience          stringList `db:"experience"`
	Employment          stringList `db:"employment"`
	Schedule            stringList `db:"schedule"`
	ProfessionalRoles   stringList `db:"professional_roles"`
	ExcludedEmployerIDs stringList `db:"excluded_employer_ids"`
	ExcludeWords        stringList `db:"exclude_words"`
	ExcludeInDesc       bool       `db:"exclude_words_in_description"`
	SkipDiscarded       bool       `db:"skip_discarded_employers"`
	Mode                string     `db:"mode"`
	LetterTemplate      string     `db:"letter_template"`
	DailyLimit          int        `db:"daily_limit"`
	EveryHours          int        `db:"every_hours"`
	ActiveFrom          string     `db:"active_from"`
	ActiveTo            string     `db:"active_to"`
	Enabled             bool       `db:"enabled"`
	LetterSource        string     `db:"letter_source"`
	AIScreen            bool       `db:"ai_screen"`
	AICriteria          string     `db:"ai_criteria"`
	NextRunAt           time.Time  `db:"next_run_at"`
	LastRunAt           *time.Time `db:"last_run_at"`
	LastCompletedRunAt  *time.Time `db:"last_completed_run_at"`
	LastFullPassAt      *time.Time `db:"last_full_pass_at"`
	CreatedAt           time.Time  `db:"created_at"`
	UpdatedAt           time.Time  `db:"updated_at"`
}

const ruleColumns = `id, user_id, name, resume_id, text, areas, salary, currency, only_with_salary,
	experience, employment, schedule, professional_roles, excluded_employer_ids, exclude_words,
	mode, letter_template, daily_limit, every_hours, active_from, active_to, enabled,
	next_run_at, last_run_at, last_completed_run_at, last_full_pass_at, created_at, updated_at,
	exclude_words_in_description, skip_discarded_employers, letter_source, ai_screen, ai_criteria`

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func (r *ruleRow) rule() Rule {
	return Rule{
		Rule: rules.Rule{
			ID:                        r.ID,
			UserID:                    r.UserID,
			Name:                      r.Name,
			ResumeID:                  r.ResumeID,
			Text:                      r.Text,
			Areas:                     r.Areas,
			Salary:                    r.Salary,
			Currency:                  r.Currency,
			OnlyWithSalary:            r.OnlyWithSalary,
			Experience:                r.Experience,
			Employment:                r.Employment,
			Schedule:                  r.Schedule,
			ProfessionalRoles:         r.ProfessionalRoles,
			ExcludedEmployerIDs:       r.ExcludedEmployerIDs,
			ExcludeWords:              r.ExcludeWords,
			ExcludeWordsInDescription: r.ExcludeInDesc,
			SkipDiscardedEmployers:    r.SkipDiscarded,
			Mode:                      rules.Mode(r.Mode),
			LetterTemplate:            r.LetterTemplate,
			DailyLimit:                r.DailyLimit,
			EveryHours:                r.EveryHours,
			ActiveFrom:                r.ActiveFrom,
			ActiveTo:                  r.ActiveTo,
			Enabled:                   r.Enabled,
			LetterSource:              rules.LetterSource(r.LetterSource),
			AIScreen:                  r.AIScreen,
			AICriteria:                r.AICriteria,
		},
		NextRunAt:          r.NextRunAt,
		LastRunAt:          deref(r.LastRunAt),
		LastCompletedRunAt: deref(r.LastCompletedRunAt),
		LastFullPassAt:     deref(r.LastFullPassAt),
		CreatedAt:          r.CreatedAt,
		UpdatedAt:          r.UpdatedAt,
	}
}

// ruleArgs are the rule's own fields (name … enabled, exclude_words_in_description, skip_discarded_employers, the AI fields), in the order CreateRule and UpdateRule write them.
func ruleArgs(r *rules.Rule) []any {
	return []any{
		r.Name, r.ResumeID, r.Text, stringList(r.Areas), r.Salary, r.Currency, r.OnlyWithSalary,
		stringList(r.Experience), stringList(r.Employment), stringList(r.Schedule),
		stringList(r.ProfessionalRoles), stringList(r.ExcludedEmployerIDs), stringList(r.ExcludeWords),
		string(r.Mode), r.LetterTemplate, r.DailyLimit, r.EveryHours, r.ActiveFrom, r.ActiveTo, r.Enabled,
		r.ExcludeWordsInDescription, r.SkipDiscardedEmployers, string(r.LetterSource), r.AIScreen, r.AICriteria,
	}
}

// CreateRule saves a validated rule for r.UserID, sets r.ID, and makes it due
// now. A person with rules.MaxRulesPerUser rules already gets ErrLimit: the
// count is checked inside the INSERT, so racing creations cannot pass it.
func (s *Store) CreateRule(ctx context.Context, r *rules.Rule) error {
	now := ts(s.now())
	args := append(append([]any{r.UserID}, ruleArgs(r)...), now, now, now, r.UserID, rules.MaxRulesPerUser)
	// On PostgreSQL the count in the INSERT reads a READ COMMITTED snapshot,
	// which a concurrent creation does not change: the user's lock makes
	// creations take turns. SQLite runs the statement alone anyway.
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockUser(ctx, tx, r.UserID); err != nil {
			return err
		}
		return s.get(ctx, tx, &r.ID, `
		INSERT INTO rules (user_id, name, resume_id, text, areas, salary, currency, only_with_salary,
			experience, employment, schedule, professional_roles, excluded_employer_ids, exclude_words,
			mode, letter_template, daily_limit, every_hours, active_from, active_to, enabled,
			exclude_words_in_description, skip_discarded_employers, letter_source, ai_screen, ai_criteria,
			next_run_at, created_at, updated_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE (SELECT COUNT(*) FROM rules WHERE user_id = ?) < ?
		RETURNING id`, args...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: create rule for user %d: %w: %d rules", r.UserID, ErrLimit, rules.MaxRulesPerUser)
	}
	if err != nil {
		return fmt.Errorf("store: create rule for user %d: %w", r.UserID, err)
	}
	return nil
}

// UpdateRule saves the fields of r (found by r.UserID and r.ID). The
// schedule bookkeeping is kept, except that enabling a disabled rule makes
// it due now.
func (s *Store) UpdateRule(ctx context.Context, r *rules.Rule) error {
	now := ts(s.now())
	args := append(ruleArgs(r), r.Enabled, now, now, r.ID, r.UserID)
	n, err := s.exec(ctx, s.db, `
		UPDATE rules SET name = ?, resume_id = ?, text = ?, areas = ?, salary = ?, currency = ?,
			only_with_salary = ?, experience = ?, employment = ?, schedule = ?, professional_roles = ?,
			excluded_employer_ids = ?, exclude_words = ?, mode = ?, letter_template = ?,
			daily_limit = ?, every_hours = ?, active_from = ?, active_to = ?, enabled = ?,
			exclude_words_in_description = ?, skip_discarded_employers = ?,
			letter_source = ?, ai_screen = ?, ai_criteria = ?,
			next_run_at = CASE WHEN enabled = FALSE AND ? = TRUE THEN ? ELSE next_run_at END,
			updated_at = ?
		WHERE id = ? AND user_id = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: save rule %d: %w", r.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: save rule %d: %w", r.ID, ErrNotFound)
	}
	return nil
}

// Rule returns userID's rule ruleID.
func (s *Store) Rule(ctx context.Context, userID, ruleID int64) (*Rule, error) {
	var row ruleRow
	if err := s.get(ctx, s.db, &row, `SELECT `+ruleColumns+` FROM rules WHERE id = ? AND user_id = ?`, ruleID, userID); err != nil {
		return nil, fmt.Errorf("store: rule %d: %w", ruleID, notFound(err))
	}
	r := row.rule()
	return &r, nil
}

// Rules returns userID's rules in creation order.
func (s *Store) Rules(ctx context.Context, userID int64) ([]Rule, error) {
	var rows []ruleRow
	if err := s.sel(ctx, s.db, &rows, `SELECT `+ruleColumns+` FROM rules WHERE user_id = ? ORDER BY id`, userID); err != nil {
		return nil, fmt.Errorf("store: rules of user %d: %w", userID, err)
	}
	out := make([]Rule, len(rows))
	for i := range rows {
		out[i] = rows[i].rule()
	}
	return out, nil
}

// DeleteRule deletes a rule and its runs; its ledger rows stay, with no rule.
func (s *Store) DeleteRule(ctx context.Context, userID, ruleID int64) error {
	n, err := s.exec(ctx, s.db, `DELETE FROM rules WHERE id = ? AND user_id = ?`, ruleID, userID)
	if err != nil {
		return fmt.Errorf("store: delete rule %d: %w", ruleID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete rule %d: %w", ruleID, ErrNotFound)
	}
	return nil
}

// SetRuleEnabled switches a rule on or off; switching it on makes it due now.
func (s *Store) SetRuleEnabled(ctx context.Context, userID, ruleID int64, enabled bool) error {
	now := ts(s.now())
	n, err := s.exec(ctx, s.db, `
		UPDATE rules SET enabled = ?,
			next_run_at = CASE WHEN enabled = FALSE AND ? = TRUE THEN ? ELSE next_run_at END,
			updated_at = ?
		WHERE id = ? AND user_id = ?`, enabled, enabled, now, now, ruleID, userID)
	if err != nil {
		return fmt.Errorf("store: set rule %d enabled: %w", ruleID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: set rule %d enabled: %w", ruleID, ErrNotFound)
	}
	return nil
}

// DueRules lists enabled rules whose next run is at or before now, oldest first.
func (s *Store) DueRules(ctx context.Context, now time.Time) ([]RuleRef, error) {
	var out []RuleRef
	err := s.sel(ctx, s.db, &out, `
		SELECT user_id, id FROM rules WHERE enabled = TRUE AND next_run_at <= ?
		ORDER BY next_run_at, id`, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: due rules: %w", err)
	}
	return out, nil
}

// MarkRuleStarted records that a run of the rule began at startedAt (StartRun
// calls it; exposed for runs that keep no rule_runs row, such as previews).
func (s *Store) MarkRuleStarted(ctx context.Context, userID, ruleID int64, startedAt time.Time) error {
	return s.updateRuleSchedule(ctx, "mark rule %d started", userID, ruleID,
		`UPDATE rules SET last_run_at = ? WHERE id = ? AND user_id = ?`, ts(startedAt))
}

// CompleteRuleRun records a finished run: completedAt becomes the rule's last
// completed run (pass the run's start time, so vacancies published while it
// ran are not taken as already seen), nextRunAt its next run, and with
// fullPass also its last full pass.
func (s *Store) CompleteRuleRun(ctx context.Context, userID, ruleID int64, completedAt, nextRunAt time.Time, fullPass bool) error {
	if err := s.completeRuleRun(ctx, s.db, userID, ruleID, completedAt, nextRunAt, fullPass); err != nil {
		return fmt.Errorf("store: complete run of rule %d: %w", ruleID, err)
	}
	return nil
}

func (s *Store) completeRuleRun(ctx context.Context, e sqlx.ExecerContext, userID, ruleID int64, completedAt, nextRunAt time.Time, fullPass bool) error {
	n, err := s.exec(ctx, e, `
		UPDATE rules SET last_completed_run_at = ?, next_run_at = ?,
			last_full_pass_at = CASE WHEN ? = TRUE THEN ? ELSE last_full_pass_at END
		WHERE id = ? AND user_id = ?`,
		ts(completedAt), ts(nextRunAt), fullPass, ts(completedAt), ruleID, userID)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// DeferRule moves the rule's next run to nextRunAt without recording a run
// (outside active hours, hh account unusable, daily cap reached).
func (s *Store) DeferRule(ctx context.Context, userID, ruleID int64, nextRunAt time.Time) error {
	return s.updateRuleSchedule(ctx, "defer rule %d", userID, ruleID,
		`UPDATE rules SET next_run_at = ? WHERE id = ? AND user_id = ?`, ts(nextRunAt))
}

// updateRuleSchedule runs query with args followed by ruleID and userID.
func (s *Store) updateRuleSchedule(ctx context.Context, what string, userID, ruleID int64, query string, args ...any) error {
	n, err := s.exec(ctx, s.db, query, append(args, ruleID, userID)...)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", fmt.Sprintf(what, ruleID), err)
	}
	return nil
}
