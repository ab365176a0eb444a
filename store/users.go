package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/otklik/otklik/locale"
)

// User is a person with an Otklik account.
type User struct {
	ID           int64     `db:"id"`
	Email        string    `db:"email"` // lowercased
	PasswordHash string    `db:"password_hash"`
	Language     string    `db:"language"`  // "ru" or "en"
	TimeZone     string    `db:"time_zone"` // IANA name
	SummaryHour  int       `db:"summary_hour"`
	SummaryEmail string    `db:"summary_email"` // "": no e-mail summary
	IsAdmin      bool      `db:"is_admin"`
	CreatedAt    time.Time `db:"created_at"`
}

// Settings are what a person changes on /settings.
type Settings struct {
	Language     string // "ru" or "en"
	TimeZone     string // IANA name, checked by the caller
	SummaryHour  int    // 0–23, local time
	SummaryEmail string // "": none
}

// SummarySchedule is what the scheduler needs to know when a user's daily
// summary is due.
type SummarySchedule struct {
	UserID      int64  `db:"id"`
	TimeZone    string `db:"time_zone"`
	SummaryHour int    `db:"summary_hour"`
}

const userColumns = `id, email, password_hash, language, time_zone, summary_hour,
	COALESCE(summary_email, '') AS summary_email, is_admin, created_at`

// normalizeEmail is how e-mail is stored and looked up, so uniqueness is
// case-insensitive with a plain unique index.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser registers a person with a bcrypt hash made by the caller. The
// first user ever created becomes the admin, decided inside the one INSERT so
// two simultaneous sign-ups cannot both win. A taken e-mail is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, email, passwordHash string) (*User, error) {
	email = normalizeEmail(email)
	if email == "" || passwordHash == "" {
		return nil, fmt.Errorf("store: create user: %w: e-mail and password hash are required", ErrInvalid)
	}
	var u User
	// The first account is the admin: lockSignUps keeps two first sign-ups
	// on PostgreSQL from both seeing no users (READ COMMITTED alone would).
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockSignUps(ctx, tx); err != nil {
			return err
		}
		return s.get(ctx, tx, &u, `
			INSERT INTO users (email, password_hash, is_admin, created_at)
			SELECT ?, ?, CASE WHEN EXISTS (SELECT 1 FROM users) THEN FALSE ELSE TRUE END, ?
			RETURNING `+userColumns,
			email, passwordHash, ts(s.now()))
	})
	if isUniqueViolation(err) {
		return nil, fmt.Errorf("store: create user: e-mail %w", ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return &u, nil
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.get(ctx, s.db, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, notFound(err))
	}
	return &u, nil
}

// UserByEmail finds a user by e-mail, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := s.get(ctx, s.db, &u, `SELECT `+userColumns+` FROM users WHERE email = ?`, normalizeEmail(email)); err != nil {
		return nil, fmt.Errorf("store: user by e-mail: %w", notFound(err))
	}
	return &u, nil
}

// UpdateSettings saves a user's language, time zone and summary preferences.
func (s *Store) UpdateSettings(ctx context.Context, userID int64, st Settings) error {
	if !locale.Valid(st.Language) {
		return fmt.Errorf("store: update settings of user %d: %w language %q", userID, ErrInvalid, st.Language)
	}
	if st.SummaryHour < 0 || st.SummaryHour > 23 {
		return fmt.Errorf("store: update settings of user %d: %w summary hour %d", userID, ErrInvalid, st.SummaryHour)
	}
	if st.TimeZone == "" {
		return fmt.Errorf("store: update settings of user %d: %w: empty time zone", userID, ErrInvalid)
	}
	n, err := s.exec(ctx, s.db, `
		UPDATE users SET language = ?, time_zone = ?, summary_hour = ?, summary_email = ?
		WHERE id = ?`,
		st.Language, st.TimeZone, st.SummaryHour, nullString(strings.TrimSpace(st.SummaryEmail)), userID)
	if err != nil {
		return fmt.Errorf("store: update settings of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: update settings of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// UpdatePassword replaces a user's bcrypt hash.
func (s *Store) UpdatePassword(ctx context.Context, userID int64, passwordHash string) error {
	n, err := s.exec(ctx, s.db, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
	if err != nil {
		return fmt.Errorf("store: update password of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: update password of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// CountUsers is the number of registered users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.get(ctx, s.db, &n, `SELECT COUNT(*) FROM users`); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// ListUserIDs returns every user's ID, for the scheduler.
func (s *Store) ListUserIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := s.sel(ctx, s.db, &ids, `SELECT id FROM users ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: list user ids: %w", err)
	}
	return ids, nil
}

// SummarySchedules returns every user's time zone and summary hour, for the
// scheduler to decide whose daily summary is due.
func (s *Store) SummarySchedules(ctx context.Context) ([]SummarySchedule, error) {
	var out []SummarySchedule
	if err := s.sel(ctx, s.db, &out, `SELECT id, time_zone, summary_hour FROM users ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: summary schedules: %w", err)
	}
	return out, nil
}
