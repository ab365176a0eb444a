package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ProbeVacancy names a vacancy of userID's ledger for a cheap request that
// shows whether hh still asks the account for a captcha: a queued row held
// back for the captcha first, else the newest row. ok is false when the
// ledger is empty.
func (s *Store) ProbeVacancy(ctx context.Context, userID int64) (vacancyID string, ok bool, err error) {
	err = s.get(ctx, s.db, &vacancyID, `SELECT vacancy_id FROM applications WHERE user_id = ?
		ORDER BY CASE WHEN status = 'queued' AND reason = 'captcha' THEN 0 ELSE 1 END, created_at DESC, id DESC
		LIMIT 1`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: probe vacancy of user %d: %w", userID, err)
	}
	return vacancyID, true, nil
}
