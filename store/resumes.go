package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/otklik/otklik/hh"
)

// Resume is one of a user's hh resumes as last fetched from /resumes/mine.
type Resume struct {
	UserID       int64      `db:"user_id"`
	ID           string     `db:"resume_id"`
	Title        string     `db:"title"`
	Status       string     `db:"status"` // hh.ResumeStatus*
	Published    bool       `db:"published"`
	AlternateURL string     `db:"alternate_url"`
	UpdatedAt    *time.Time `db:"updated_at"` // hh's time; nil when hh sent none
	SyncedAt     time.Time  `db:"synced_at"`
	// CanPublish is hh's can_publish_or_update when the list was fetched:
	// raising is allowed now; nil when hh did not say.
	CanPublish *bool `db:"can_publish"`
	// NextPublishAt is hh's next_publish_at: when a raise is next allowed;
	// nil for a resume that is not published.
	NextPublishAt *time.Time `db:"next_publish_at"`
}

const resumeColumns = `user_id, resume_id, title, status, published, alternate_url, updated_at, synced_at, can_publish, next_publish_at`

// ReplaceResumes makes userID's cached resumes exactly list, in one transaction.
func (s *Store) ReplaceResumes(ctx context.Context, userID int64, list []hh.Resume) error {
	now := ts(s.now())
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Two refreshes at once would both delete, then both insert, on
		// PostgreSQL at READ COMMITTED: they take turns on the user's lock.
		if err := s.lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM resumes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, r := range list {
			_, err := s.exec(ctx, tx, `
				INSERT INTO resumes (`+resumeColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				userID, r.ID, r.Title, r.Status.ID, r.Published(), r.AlternateURL, tsPtr(r.UpdatedAt.Time), now,
				r.CanPublishOrUpdate, tsPtr(r.NextPublishAt.Time))
			if err != nil {
				return fmt.Errorf("resume %s: %w", r.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: replace resumes of user %d: %w", userID, err)
	}
	return nil
}

// Resumes returns userID's cached resumes, published first.
func (s *Store) Resumes(ctx context.Context, userID int64) ([]Resume, error) {
	var out []Resume
	err := s.sel(ctx, s.db, &out, `
		SELECT `+resumeColumns+`
		FROM resumes WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: resumes of user %d: %w", userID, err)
	}
	// Sorted here, not by SQL: a person has a handful of resumes, and
	// SQLite's ORDER BY over them (a temporary b-tree) cost more than the
	// rest of the query.
	slices.SortFunc(out, func(a, b Resume) int {
		if a.Published != b.Published {
			if a.Published {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// resumeGoneSQL is the one test of "the resume is gone" (another hh person
// is connected, or the resume was deleted on hh): the person has stored
// resumes and this one is not among them. An empty list is unknown, not
// "none". user and resume are SQL expressions: columns of the outer query
// (Outgoing) or placeholders (ResumeGone).
func resumeGoneSQL(user, resume string) string {
	return `(EXISTS (SELECT 1 FROM resumes r WHERE r.user_id = ` + user + `)
		AND NOT EXISTS (SELECT 1 FROM resumes r WHERE r.user_id = ` + user + ` AND r.resume_id = ` + resume + `))`
}

// RulesWithGoneResume returns userID's rules whose resume is gone (the test
// of resumeGoneSQL), in creation order: they wait for the person to choose
// another resume.
func (s *Store) RulesWithGoneResume(ctx context.Context, userID int64) ([]Rule, error) {
	var rows []ruleRow
	if err := s.sel(ctx, s.db, &rows, `SELECT `+ruleColumns+` FROM rules
		WHERE user_id = ? AND resume_id <> '' AND `+resumeGoneSQL("rules.user_id", "rules.resume_id")+`
		ORDER BY id`, userID); err != nil {
		return nil, fmt.Errorf("store: rules of user %d with a gone resume: %w", userID, err)
	}
	out := make([]Rule, len(rows))
	for i := range rows {
		out[i] = rows[i].rule()
	}
	return out, nil
}

// ResumeGone reports whether userID's resume resumeID is gone: they have
// stored resumes and it is not among them. A rule with it would only be
// refused by hh, so it waits for the person to choose another.
func (s *Store) ResumeGone(ctx context.Context, userID int64, resumeID string) (bool, error) {
	var gone bool
	if err := s.get(ctx, s.db, &gone, `SELECT `+resumeGoneSQL("?", "?"), userID, userID, resumeID); err != nil {
		return false, fmt.Errorf("store: resume %s of user %d: %w", resumeID, userID, err)
	}
	return gone, nil
}
