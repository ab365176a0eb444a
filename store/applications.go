package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// VacancySnapshot is what the ledger keeps of a vacancy when it was decided,
// so history, review and CSV never need hh again.
type VacancySnapshot struct {
	VacancyName            string `db:"vacancy_name"`
	EmployerName           string `db:"employer_name"`
	EmployerID             string `db:"employer_id"`
	SalaryText             string `db:"salary_text"`
	AreaName               string `db:"area_name"`
	VacancyURL             string `db:"vacancy_url"`
	ResponseLetterRequired bool   `db:"response_letter_required"`
	HasTest                bool   `db:"has_test"`
	ExternalURL            string `db:"external_url"`
	// ApplyURL is hh's response page (apply_alternate_url), where the person
	// takes the employer's test; "" on rows written before it was kept.
	ApplyURL string `db:"apply_url"`
}

// Application is one row of the ledger: one decision per user, resume and
// vacancy, and what became of it.
type Application struct {
	ID     int64 `db:"id"`
	UserID int64 `db:"user_id"`
	RuleID int64 `db:"-"` // 0: no rule (deleted, or added by hand)
	// RunID is the rule run that decided the row; 0 for rows decided
	// before runs were recorded, or outside a run.
	RunID     int64  `db:"-"`
	ResumeID  string `db:"resume_id"`
	VacancyID string `db:"vacancy_id"`
	VacancySnapshot
	Status ApplicationStatus `db:"status"`
	// Reason is a stable code (rules.Reason) for review, skipped, failed and
	// postponed rows; "" when applied.
	Reason string `db:"reason"`
	// Message is hh's own words for a failure, kept for the person.
	Message string `db:"message"`
	// Letter is the letter sent, or the draft while in review.
	Letter string `db:"letter"`
	// LetterBy says who wrote Letter: "" (the template), LetterByAI, or
	// LetterByTemplateFallback (the model's letter failed a check or the
	// model was not available, so the template's was used).
	LetterBy string `db:"letter_by"`
	// AINote says what became of the AI for this row (AINote*): "" nothing
	// to say.
	AINote        string    `db:"ai_note"`
	NegotiationID string    `db:"negotiation_id"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
	AppliedAt     time.Time `db:"-"` // zero unless applied
	Outcome
	// AIPending, on a row inserted queued with the reason ai_unavailable,
	// is the AI step it waits for; InsertApplication keeps it with the row.
	AIPending *AIPending `db:"-"`
}

// Outcome is what hh says became of an application (the negotiation sync).
type Outcome struct {
	// State is hh's applicant state id as hh sends it (response,
	// invitation, discard, hidden, …); "" until a sync has seen it.
	State string `db:"outcome"`
	// At is hh's updated_at of that state; zero until seen.
	At time.Time `db:"-"`
	// Viewed: the employer has viewed the application (viewed_by_opponent).
	Viewed bool `db:"viewed"`
}

// Kind is the outcome a person reads: OutcomeInvitation, OutcomeDiscard,
// OutcomeViewed or OutcomeNone (sent, not viewed yet).
func (o Outcome) Kind() string {
	switch {
	case o.State == OutcomeInvitation, o.State == OutcomeDiscard:
		return o.State
	case o.Viewed:
		return OutcomeViewed
	}
	return OutcomeNone
}

// Outcome kinds (Outcome.Kind, ApplicationFilter.Outcome); invitation and
// discard are hh's state ids too.
const (
	OutcomeInvitation = "invitation"
	OutcomeDiscard    = "discard"
	OutcomeViewed     = "viewed"
	OutcomeNone       = "none"
)

// OutcomeKinds are the kinds in the order the history filter offers them.
var OutcomeKinds = []string{OutcomeInvitation, OutcomeDiscard, OutcomeViewed, OutcomeNone}

type applicationRow struct {
	Application
	RuleID    *int64     `db:"rule_id"`
	RunID     *int64     `db:"run_id"`
	AppliedAt *time.Time `db:"applied_at"`
	OutcomeAt *time.Time `db:"outcome_at"`
}

func (r *applicationRow) application() Application {
	a := r.Application
	if r.RuleID != nil {
		a.RuleID = *r.RuleID
	}
	if r.RunID != nil {
		a.RunID = *r.RunID
	}
	a.AppliedAt = deref(r.AppliedAt)
	a.Outcome.At = deref(r.OutcomeAt)
	return a
}

func applicationsOf(rows []applicationRow) []Application {
	out := make([]Application, len(rows))
	for i := range rows {
		out[i] = rows[i].application()
	}
	return out
}

const applicationColumns = `id, user_id, rule_id, resume_id, vacancy_id, vacancy_name, employer_name,
	employer_id, salary_text, area_name, vacancy_url, response_letter_required, has_test, external_url,
	status, reason, message, letter, negotiation_id, created_at, updated_at, applied_at, apply_url, run_id,
	outcome, outcome_at, viewed, letter_by, ai_note`

// Who wrote a letter (Application.LetterBy).
const (
	LetterByAI               = "ai"
	LetterByTemplateFallback = "template_fallback"
)

// InsertApplication records a decision unless the ledger already has one for
// a.UserID, a.ResumeID and a.VacancyID. created reports whether this call
// wrote the row; when it did not, a is overwritten with the existing row, so
// concurrent deciders all see the one decision that counts. An empty Status
// means queued. A.RuleID must be one of the user's rules (or 0).
//
// Under PostgreSQL this relies on the unique index alone, at any isolation
// level: ON CONFLICT decides against committed and in-flight inserts.
func (s *Store) InsertApplication(ctx context.Context, a *Application) (bool, error) {
	created, err := s.InsertApplications(ctx, []*Application{a})
	if err != nil {
		return false, err
	}
	return created[0], nil
}

// InsertApplications is InsertApplication for a run's page of decisions, in
// one transaction: a page's rows share their table's and indexes' pages, so
// the database writes them once instead of once a row. created[i] is
// InsertApplication's created for list[i]. On an error nothing is written.
func (s *Store) InsertApplications(ctx context.Context, list []*Application) (created []bool, err error) {
	for _, a := range list {
		if a.Status == "" {
			a.Status = StatusQueued
		}
		if !a.Status.Valid() {
			return nil, fmt.Errorf("store: insert application for vacancy %s: %w status %q", a.VacancyID, ErrInvalid, a.Status)
		}
		if a.ResumeID == "" || a.VacancyID == "" {
			return nil, fmt.Errorf("store: insert application: %w: resume and vacancy are required", ErrInvalid)
		}
	}
	created = make([]bool, len(list))
	now := ts(s.now())
	write := func(q sqlx.ExtContext) error {
		for i, a := range list {
			ok, err := s.insertApplication(ctx, q, a, now)
			if err != nil {
				return fmt.Errorf("store: insert application for vacancy %s: %w", a.VacancyID, err)
			}
			if created[i] = ok; ok {
				continue
			}
			var row applicationRow
			err = s.get(ctx, q, &row, `SELECT `+applicationColumns+` FROM applications
				WHERE user_id = ? AND resume_id = ? AND vacancy_id = ?`, a.UserID, a.ResumeID, a.VacancyID)
			if errors.Is(err, sql.ErrNoRows) {
				// Nothing inserted and nothing there: the rule is not this user's.
				return fmt.Errorf("store: insert application for vacancy %s: rule %d: %w", a.VacancyID, a.RuleID, ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("store: insert application for vacancy %s: %w", a.VacancyID, err)
			}
			*a = row.application()
		}
		return nil
	}
	if len(list) == 1 && list[0].AIPending == nil {
		err = write(s.db) // no transaction to hold: the insert is its own
	} else {
		err = s.inTx(ctx, func(tx *sqlx.Tx) error { return write(tx) })
	}
	if err != nil {
		return nil, err
	}
	return created, nil
}

// insertApplication writes a's row through q at now, with its pending AI
// step when it has one (q is then a transaction: a row waiting for the model
// always knows what it waits for); created is false when the ledger had a
// row for the vacancy already, or a.RuleID is not the user's.
func (s *Store) insertApplication(ctx context.Context, q sqlx.ExtContext, a *Application, now time.Time) (created bool, err error) {
	var appliedAt any
	if a.Status == StatusApplied {
		if a.AppliedAt.IsZero() {
			a.AppliedAt = now
		}
		appliedAt = ts(a.AppliedAt)
	}
	v := &a.VacancySnapshot
	// The WHERE keeps another user's rule out of the row; the upsert keeps
	// the first decision.
	var id int64
	err = s.get(ctx, q, &id, `
		INSERT INTO applications (user_id, rule_id, resume_id, vacancy_id, vacancy_name, employer_name,
			employer_id, salary_text, area_name, vacancy_url, response_letter_required, has_test,
			external_url, status, reason, message, letter, negotiation_id, created_at, updated_at, applied_at,
			apply_url, run_id, letter_by, ai_note)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE ? = 0 OR EXISTS (SELECT 1 FROM rules WHERE id = ? AND user_id = ?)
		ON CONFLICT (user_id, resume_id, vacancy_id) DO NOTHING
		RETURNING id`,
		a.UserID, nullID(a.RuleID), a.ResumeID, a.VacancyID, v.VacancyName, v.EmployerName,
		v.EmployerID, v.SalaryText, v.AreaName, v.VacancyURL, v.ResponseLetterRequired, v.HasTest,
		v.ExternalURL, string(a.Status), a.Reason, a.Message, a.Letter, a.NegotiationID, now, now, appliedAt,
		v.ApplyURL, nullID(a.RunID), a.LetterBy, a.AINote,
		a.RuleID, a.RuleID, a.UserID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p := a.AIPending; p != nil {
		p.ApplicationID, p.FirstFailedAt = id, now
		if _, err := s.exec(ctx, q, `INSERT INTO ai_pending (application_id, user_id, step, then_status, then_reason,
			vacancy, first_failed_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			id, a.UserID, p.Step, string(p.ThenStatus), p.ThenReason, p.Vacancy, now); err != nil {
			return false, err
		}
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id, now, now
	return true, nil
}

// Application returns userID's ledger row id.
func (s *Store) Application(ctx context.Context, userID, id int64) (*Application, error) {
	var row applicationRow
	err := s.get(ctx, s.db, &row, `SELECT `+applicationColumns+` FROM applications WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return nil, fmt.Errorf("store: application %d: %w", id, notFound(err))
	}
	a := row.application()
	return &a, nil
}

// Outgoing is a ledger row as the worker reads it right before its POST,
// with what decides whether the POST may go, read in the same statement.
type Outgoing struct {
	Application
	// AppliedSince counts the person's applications sent at or after the
	// since given (AppliedSince's count).
	AppliedSince int
	// ResumeGone: the person has stored resumes and the row's is not among
	// them (another hh person is connected, or the resume was deleted).
	ResumeGone bool
}

// Outgoing reads userID's application id with the person's sent count since
// since and whether its resume is gone: one statement where the worker's
// POST used to take three, each a wake-up of its own.
func (s *Store) Outgoing(ctx context.Context, userID, id int64, since time.Time) (*Outgoing, error) {
	var row struct {
		applicationRow
		AppliedSince int  `db:"applied_since"`
		ResumeGone   bool `db:"resume_gone"`
	}
	err := s.get(ctx, s.db, &row, `SELECT `+applicationColumns+`,
			(SELECT COUNT(*) FROM applications c
				WHERE c.user_id = a.user_id AND c.status = 'applied' AND c.applied_at >= ?) AS applied_since,
			`+resumeGoneSQL("a.user_id", "a.resume_id")+` AS resume_gone
		FROM applications a WHERE a.id = ? AND a.user_id = ?`, ts(since), id, userID)
	if err != nil {
		return nil, fmt.Errorf("store: application %d: %w", id, notFound(err))
	}
	return &Outgoing{Application: row.application(), AppliedSince: row.AppliedSince, ResumeGone: row.ResumeGone}, nil
}

// transition moves application id to `to` if its status is one of from,
// setting the extra "col = ?" assignments in set. It distinguishes a missing
// row (ErrNotFound) from a refused move (ErrIllegalTransition).
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) transition(ctx context.Context, what string, userID, id int64, to ApplicationStatus, from []ApplicationStatus, set string, args ...any) error {
	fail := func(err error) error { return fmt.Errorf("store: %s application %d: %w", what, id, err) }
	q, qargs, err := sqlx.In(`UPDATE applications SET status = ?, updated_at = ?`+set+`
		WHERE id = ? AND user_id = ? AND status IN (?)`,
		append(append([]any{string(to), ts(s.now())}, args...), id, userID, from)...)
	if err != nil {
		return fail(err)
	}
	n, err := s.exec(ctx, s.db, q, qargs...)
	if err != nil {
		return fail(err)
	}
	if n == 1 {
		return nil
	}
	var current ApplicationStatus
	if err := s.get(ctx, s.db, &current, `SELECT status FROM applications WHERE id = ? AND user_id = ?`, id, userID); err != nil {
		return fail(notFound(err))
	}
	return fail(fmt.Errorf("%w from %s to %s", ErrIllegalTransition, current, to))
}

// MarkApplied records that hh accepted the application (queued → applied),
// with the negotiation id ("" when hh said it already had one) and the letter sent.
func (s *Store) MarkApplied(ctx context.Context, userID, id int64, negotiationID, letter string, at time.Time) error {
	return s.transition(ctx, "mark applied", userID, id, StatusApplied, sourcesOf(StatusApplied),
		`, negotiation_id = ?, letter = ?, applied_at = ?, reason = '', message = ''`, negotiationID, letter, ts(at))
}

// MarkExternal records that the vacancy is applied to on the employer's own
// site (queued → external); the person sees it in review with externalURL.
func (s *Store) MarkExternal(ctx context.Context, userID, id int64, reason, externalURL string) error {
	return s.transition(ctx, "mark external", userID, id, StatusExternal, sourcesOf(StatusExternal),
		`, reason = ?, external_url = ?`, reason, externalURL)
}

// MarkReview holds the application for a person (queued → review) with why
// and the letter drafted from the template.
func (s *Store) MarkReview(ctx context.Context, userID, id int64, reason, draftLetter string) error {
	return s.transition(ctx, "mark review", userID, id, StatusReview, sourcesOf(StatusReview),
		`, reason = ?, letter = ?`, reason, draftLetter)
}

// MarkSkipped dismisses a review or external item (→ skipped) with a reason.
func (s *Store) MarkSkipped(ctx context.Context, userID, id int64, reason string) error {
	return s.transition(ctx, "mark skipped", userID, id, StatusSkipped, sourcesOf(StatusSkipped),
		`, reason = ?`, reason)
}

// MarkFailed records that hh refused (queued → failed), keeping hh's words in message.
func (s *Store) MarkFailed(ctx context.Context, userID, id int64, reason, message string) error {
	return s.transition(ctx, "mark failed", userID, id, StatusFailed, sourcesOf(StatusFailed),
		`, reason = ?, message = ?`, reason, message)
}

// Requeue is the person's send or retry (review or failed → queued): letter
// replaces the stored one (the web pre-fills the draft or the last letter).
func (s *Store) Requeue(ctx context.Context, userID, id int64, letter string) error {
	return s.transition(ctx, "requeue", userID, id, StatusQueued, sourcesOf(StatusQueued, StatusReview, StatusFailed),
		`, letter = ?, reason = '', message = ''`, letter)
}

// Postpone keeps a queued application queued and says why it waits
// (limit_exceeded, captcha), so history shows it.
func (s *Store) Postpone(ctx context.Context, userID, id int64, reason, message string) error {
	return s.transition(ctx, "postpone", userID, id, StatusQueued, sourcesOf(StatusQueued, StatusQueued),
		`, reason = ?, message = ?`, reason, message)
}

// KnownVacancies returns which of vacancyIDs already have a ledger row for
// userID and resumeID.
func (s *Store) KnownVacancies(ctx context.Context, userID int64, resumeID string, vacancyIDs []string) (map[string]bool, error) {
	known := make(map[string]bool)
	const chunk = 500
	for start := 0; start < len(vacancyIDs); start += chunk {
		part := vacancyIDs[start:min(start+chunk, len(vacancyIDs))]
		q, args, err := sqlx.In(`SELECT vacancy_id FROM applications
			WHERE user_id = ? AND resume_id = ? AND vacancy_id IN (?)`, userID, resumeID, part)
		if err != nil {
			return nil, fmt.Errorf("store: known vacancies of user %d: %w", userID, err)
		}
		var ids []string
		if err := s.sel(ctx, s.db, &ids, q, args...); err != nil {
			return nil, fmt.Errorf("store: known vacancies of user %d: %w", userID, err)
		}
		for _, id := range ids {
			known[id] = true
		}
	}
	return known, nil
}

func (s *Store) applications(ctx context.Context, what string, userID int64, where string, args ...any) ([]Application, error) {
	var rows []applicationRow
	if err := s.sel(ctx, s.db, &rows, `SELECT `+applicationColumns+` FROM applications WHERE user_id = ? `+where,
		append([]any{userID}, args...)...); err != nil {
		return nil, fmt.Errorf("store: %s of user %d: %w", what, userID, err)
	}
	return applicationsOf(rows), nil
}

// QueuedApplications lists userID's queued rows, oldest first: the worker's
// to-do list, which it can derive again after losing Redis.
func (s *Store) QueuedApplications(ctx context.Context, userID int64) ([]Application, error) {
	return s.applications(ctx, "queued applications", userID, `AND status = 'queued' ORDER BY created_at, id`)
}

// ReviewItems lists what waits for the person (review and external), oldest first.
func (s *Store) ReviewItems(ctx context.Context, userID int64) ([]Application, error) {
	return s.applications(ctx, "review items", userID, `AND status IN ('review', 'external') ORDER BY created_at, id`)
}

// ApplicationFilter narrows ListApplications; zero fields do not filter.
type ApplicationFilter struct {
	Status   ApplicationStatus
	RuleID   int64
	ResumeID string
	From, To time.Time // created_at in [From, To)
	// Outcome keeps applied rows of one kind (OutcomeKinds); "" does not filter.
	Outcome string
	Limit   int // 0: no limit
	Offset  int
}

func (f ApplicationFilter) where() (string, []any) {
	var b strings.Builder
	var args []any
	if f.Status != "" {
		b.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	}
	if f.RuleID != 0 {
		b.WriteString(` AND rule_id = ?`)
		args = append(args, f.RuleID)
	}
	if f.ResumeID != "" {
		b.WriteString(` AND resume_id = ?`)
		args = append(args, f.ResumeID)
	}
	switch f.Outcome {
	case OutcomeInvitation, OutcomeDiscard:
		b.WriteString(` AND status = 'applied' AND outcome = ?`)
		args = append(args, f.Outcome)
	case OutcomeViewed:
		b.WriteString(` AND status = 'applied' AND outcome NOT IN ('invitation', 'discard') AND viewed`)
	case OutcomeNone:
		b.WriteString(` AND status = 'applied' AND outcome NOT IN ('invitation', 'discard') AND NOT viewed`)
	}
	if !f.From.IsZero() {
		b.WriteString(` AND created_at >= ?`)
		args = append(args, ts(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(` AND created_at < ?`)
		args = append(args, ts(f.To))
	}
	return b.String(), args
}

// ListApplications returns userID's history, newest first.
func (s *Store) ListApplications(ctx context.Context, userID int64, f ApplicationFilter) ([]Application, error) {
	where, args := f.where()
	where += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		where += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	return s.applications(ctx, "list applications", userID, where, args...)
}

// CountApplications counts the rows ListApplications would return without Limit and Offset.
func (s *Store) CountApplications(ctx context.Context, userID int64, f ApplicationFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.get(ctx, s.db, &n, `SELECT COUNT(*) FROM applications WHERE user_id = ?`+where,
		append([]any{userID}, args...)...); err != nil {
		return 0, fmt.Errorf("store: count applications of user %d: %w", userID, err)
	}
	return n, nil
}

// AppliedSince counts userID's applications sent at or after since (the
// 24-hour limit window).
func (s *Store) AppliedSince(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	if err := s.get(ctx, s.db, &n, `SELECT COUNT(*) FROM applications
		WHERE user_id = ? AND status = 'applied' AND applied_at >= ?`, userID, ts(since)); err != nil {
		return 0, fmt.Errorf("store: applied since of user %d: %w", userID, err)
	}
	return n, nil
}

// RuleLoad counts, in one query, what rule ruleID holds against its daily
// cap: the applications it sent at or after since, those it has queued, and
// those it put in review (created) at or after since.
func (s *Store) RuleLoad(ctx context.Context, userID, ruleID int64, since time.Time) (applied, queued, review int, err error) {
	var n struct {
		Applied int `db:"applied"`
		Queued  int `db:"queued"`
		Review  int `db:"review"`
	}
	err = s.get(ctx, s.db, &n, `SELECT
			COALESCE(SUM(CASE WHEN status = 'applied' AND applied_at >= ? THEN 1 ELSE 0 END), 0) AS applied,
			COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0) AS queued,
			COALESCE(SUM(CASE WHEN status = 'review' AND created_at >= ? THEN 1 ELSE 0 END), 0) AS review
		FROM applications WHERE user_id = ? AND rule_id = ? AND status IN ('applied', 'queued', 'review')`,
		ts(since), ts(since), userID, ruleID)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: load of rule %d: %w", ruleID, err)
	}
	return n.Applied, n.Queued, n.Review, nil
}

// OldestAppliedSince returns when the oldest application sent at or after
// since was sent; ok is false when there is none. The limit window frees
// 24 hours after it.
func (s *Store) OldestAppliedSince(ctx context.Context, userID int64, since time.Time) (at time.Time, ok bool, err error) {
	// ORDER BY … LIMIT 1 rather than MIN(), so the driver sees a TIMESTAMP column.
	err = s.get(ctx, s.db, &at, `SELECT applied_at FROM applications
		WHERE user_id = ? AND status = 'applied' AND applied_at >= ?
		ORDER BY applied_at LIMIT 1`, userID, ts(since))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: oldest applied since of user %d: %w", userID, err)
	}
	return at, true, nil
}

// CountsByStatusSince counts userID's rows by status among those changed at
// or after since (for the daily summary). Every status has an entry. An
// employer's-site item the person marked done (skipped, reason
// applied_on_site) counts as external: they applied there.
func (s *Store) CountsByStatusSince(ctx context.Context, userID int64, since time.Time) (map[ApplicationStatus]int, error) {
	var rows []struct {
		Status ApplicationStatus `db:"status"`
		N      int               `db:"n"`
	}
	if err := s.sel(ctx, s.db, &rows, `SELECT CASE WHEN status = 'skipped' AND reason = 'applied_on_site' THEN 'external' ELSE status END AS status,
		COUNT(*) AS n FROM applications
		WHERE user_id = ? AND updated_at >= ? GROUP BY 1`, userID, ts(since)); err != nil {
		return nil, fmt.Errorf("store: counts by status of user %d: %w", userID, err)
	}
	out := make(map[ApplicationStatus]int, len(Statuses))
	for _, st := range Statuses {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// ReasonCountsSince counts userID's rows with status by reason among those
// changed at or after since ("skipped by reason" in the summary).
func (s *Store) ReasonCountsSince(ctx context.Context, userID int64, status ApplicationStatus, since time.Time) (map[string]int, error) {
	var rows []struct {
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := s.sel(ctx, s.db, &rows, `SELECT reason, COUNT(*) AS n FROM applications
		WHERE user_id = ? AND status = ? AND updated_at >= ? GROUP BY reason`, userID, string(status), ts(since)); err != nil {
		return nil, fmt.Errorf("store: reason counts of user %d: %w", userID, err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Reason] = r.N
	}
	return out, nil
}

// UsersWithQueuedApplications lists users with queued rows, for the scheduler.
func (s *Store) UsersWithQueuedApplications(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.sel(ctx, s.db, &ids, `SELECT DISTINCT user_id FROM applications WHERE status = 'queued' ORDER BY user_id`); err != nil {
		return nil, fmt.Errorf("store: users with queued applications: %w", err)
	}
	return ids, nil
}
