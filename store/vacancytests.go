package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// VacancyTestRequired reports whether the employer's test on vacancy id is
// required, as last read from hh at or after since; known is false when it
// was never read or the reading is older. Vacancies are hh's, not a user's:
// the answer serves every user.
func (s *Store) VacancyTestRequired(ctx context.Context, id string, since time.Time) (required, known bool, err error) {
	err = s.get(ctx, s.db, &required, `SELECT required FROM vacancy_tests WHERE vacancy_id = ? AND checked_at >= ?`,
		id, ts(since))
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("store: test of vacancy %s: %w", id, err)
	}
	return required, true, nil
}

// SaveVacancyTest records whether the employer's test on vacancy id is
// required, as read from hh at checkedAt.
func (s *Store) SaveVacancyTest(ctx context.Context, id string, required bool, checkedAt time.Time) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO vacancy_tests (vacancy_id, required, checked_at) VALUES (?, ?, ?)
		ON CONFLICT (vacancy_id) DO UPDATE SET required = excluded.required, checked_at = excluded.checked_at`,
		id, required, ts(checkedAt))
	if err != nil {
		return fmt.Errorf("store: save test of vacancy %s: %w", id, err)
	}
	return nil
}
