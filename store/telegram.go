package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrExpired is a one-time Telegram link code used after its 15 minutes.
var ErrExpired = errors.New("expired")

// TelegramLink is a user's linked Telegram chat and which notifications it
// gets. Blocked (not zero) means Telegram said the person blocked the bot:
// nothing is sent and the chat acts for nobody until they link again.
type TelegramLink struct {
	UserID    int64     `db:"user_id"`
	ChatID    int64     `db:"chat_id"`
	ChatName  string    `db:"chat_name"`
	LinkedAt  time.Time `db:"linked_at"`
	BlockedAt time.Time `db:"-"`
	TelegramNotifications
	// LetterFor is the review item whose letter the chat's next text
	// message becomes («Изменить письмо»); 0: none. LetterDraft is that
	// letter once typed, until «Отправить» or «Отмена».
	LetterFor   int64  `db:"-"`
	LetterDraft string `db:"letter_draft"`
}

// Linked reports whether the chat gets messages and acts for its user.
func (l *TelegramLink) Linked() bool { return l.BlockedAt.IsZero() }

// TelegramNotifications are the switches on /settings, all on by default.
type TelegramNotifications struct {
	Invitations bool `db:"notify_invitations"`
	Warnings    bool `db:"notify_warnings"`
	Summary     bool `db:"notify_summary"`
	Review      bool `db:"notify_review"`
}

type telegramLinkRow struct {
	TelegramLink
	Blocked   *time.Time    `db:"blocked_at"`
	LetterFor sql.NullInt64 `db:"letter_for"`
}

const telegramLinkColumns = `user_id, chat_id, chat_name, linked_at, blocked_at, notify_invitations,
	notify_warnings, notify_summary, notify_review, letter_for, letter_draft`

func (r *telegramLinkRow) link() *TelegramLink {
	l := r.TelegramLink
	if r.Blocked != nil {
		l.BlockedAt = *r.Blocked
	}
	l.LetterFor = r.LetterFor.Int64
	return &l
}

// SaveTelegramCode replaces userID's one-time link code with code, valid
// until expiresAt.
func (s *Store) SaveTelegramCode(ctx context.Context, userID int64, code string, expiresAt time.Time) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.exec(ctx, tx, `DELETE FROM telegram_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `INSERT INTO telegram_codes (user_id, code, expires_at) VALUES (?, ?, ?)`,
			userID, code, ts(expiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save telegram code of user %d: %w", userID, err)
	}
	return nil
}

// TelegramCode is userID's link code still valid at now; ErrNotFound when
// there is none.
func (s *Store) TelegramCode(ctx context.Context, userID int64, now time.Time) (code string, expiresAt time.Time, err error) {
	var row struct {
		Code      string    `db:"code"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	if err := s.get(ctx, s.db, &row, `SELECT code, expires_at FROM telegram_codes WHERE user_id = ? AND expires_at > ?`,
		userID, ts(now)); err != nil {
		return "", time.Time{}, fmt.Errorf("store: telegram code of user %d: %w", userID, notFound(err))
	}
	return row.Code, row.ExpiresAt, nil
}

// LinkTelegram uses a one-time code: the code is gone whatever happens, and
// if it was valid at now its user's chat becomes chatID (replacing the chat
// linked before, and taking chatID from any other user it acted for). It
// returns the user; ErrNotFound for a code never issued or used already,
// ErrExpired for one past its time.
func (s *Store) LinkTelegram(ctx context.Context, code string, chatID int64, chatName string, now time.Time) (int64, error) {
	var userID int64
	expired := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			UserID    int64     `db:"user_id"`
			ExpiresAt time.Time `db:"expires_at"`
		}
		if err := s.get(ctx, tx, &row, `SELECT user_id, expires_at FROM telegram_codes WHERE code = ?`, code); err != nil {
			return notFound(err)
		}
		if n, err := s.exec(ctx, tx, `DELETE FROM telegram_codes WHERE code = ?`, code); err != nil || n != 1 {
			if err == nil {
				err = ErrNotFound
			}
			return err
		}
		if !row.ExpiresAt.After(now) {
			expired = true
			return nil
		}
		userID = row.UserID
		if _, err := s.exec(ctx, tx, `DELETE FROM telegram_links WHERE chat_id = ? AND user_id <> ?`, chatID, userID); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `INSERT INTO telegram_links (user_id, chat_id, chat_name, linked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, chat_name = excluded.chat_name,
				linked_at = excluded.linked_at, blocked_at = NULL, letter_for = NULL, letter_draft = ''`,
			userID, chatID, chatName, ts(now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: link telegram chat: %w", err)
	}
	if expired {
		return 0, fmt.Errorf("store: link telegram chat: %w", ErrExpired)
	}
	return userID, nil
}

// TelegramLink is userID's chat, linked or blocked; ErrNotFound when none.
func (s *Store) TelegramLink(ctx context.Context, userID int64) (*TelegramLink, error) {
	var row telegramLinkRow
	if err := s.get(ctx, s.db, &row, `SELECT `+telegramLinkColumns+` FROM telegram_links WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: telegram link of user %d: %w", userID, notFound(err))
	}
	return row.link(), nil
}

// TelegramLinkByChat is the link chatID acts for; ErrNotFound when it acts
// for nobody (never linked, unlinked, or blocked).
func (s *Store) TelegramLinkByChat(ctx context.Context, chatID int64) (*TelegramLink, error) {
	var row telegramLinkRow
	if err := s.get(ctx, s.db, &row, `SELECT `+telegramLinkColumns+` FROM telegram_links
		WHERE chat_id = ? AND blocked_at IS NULL`, chatID); err != nil {
		return nil, fmt.Errorf("store: telegram link of chat: %w", notFound(err))
	}
	return row.link(), nil
}

// UnlinkTelegram forgets userID's chat («Отключить»).
func (s *Store) UnlinkTelegram(ctx context.Context, userID int64) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM telegram_links WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: unlink telegram of user %d: %w", userID, err)
	}
	return nil
}

// BlockTelegram records that chatID, linked to userID, blocked the bot.
func (s *Store) BlockTelegram(ctx context.Context, userID, chatID int64, now time.Time) error {
	if _, err := s.exec(ctx, s.db, `UPDATE telegram_links SET blocked_at = ?, letter_for = NULL, letter_draft = ''
		WHERE user_id = ? AND chat_id = ? AND blocked_at IS NULL`, ts(now), userID, chatID); err != nil {
		return fmt.Errorf("store: block telegram of user %d: %w", userID, err)
	}
	return nil
}

// SetTelegramNotifications sets which notifications userID's chat gets.
func (s *Store) SetTelegramNotifications(ctx context.Context, userID int64, n TelegramNotifications) error {
	if _, err := s.exec(ctx, s.db, `UPDATE telegram_links SET notify_invitations = ?, notify_warnings = ?,
		notify_summary = ?, notify_review = ? WHERE user_id = ?`,
		n.Invitations, n.Warnings, n.Summary, n.Review, userID); err != nil {
		return fmt.Errorf("store: telegram notifications of user %d: %w", userID, err)
	}
	return nil
}

// SetTelegramLetter sets the review item the chat's next text becomes the
// letter of (0: none), with the letter typed so far ("" until typed).
func (s *Store) SetTelegramLetter(ctx context.Context, userID, applicationID int64, draft string) error {
	if _, err := s.exec(ctx, s.db, `UPDATE telegram_links SET letter_for = ?, letter_draft = ? WHERE user_id = ?`,
		nullID(applicationID), draft, userID); err != nil {
		return fmt.Errorf("store: telegram letter of user %d: %w", userID, err)
	}
	return nil
}

// ClaimTelegramMessage records that the notification key is being sent to
// userID: only the caller that gets true sends it, so a task run again
// never sends it twice. ReleaseTelegramMessage undoes it when the send
// failed.
func (s *Store) ClaimTelegramMessage(ctx context.Context, key string, userID int64, now time.Time) (bool, error) {
	n, err := s.exec(ctx, s.db, `INSERT INTO telegram_sent (message_key, user_id, sent_at) VALUES (?, ?, ?)
		ON CONFLICT (message_key) DO NOTHING`, key, userID, ts(now))
	if err != nil {
		return false, fmt.Errorf("store: claim telegram message %s: %w", key, err)
	}
	return n == 1, nil
}

// ReleaseTelegramMessage undoes ClaimTelegramMessage.
func (s *Store) ReleaseTelegramMessage(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM telegram_sent WHERE message_key = ?`, key); err != nil {
		return fmt.Errorf("store: release telegram message %s: %w", key, err)
	}
	return nil
}

// TelegramWarning is an account warning to tell a linked chat of.
type TelegramWarning struct {
	UserID     int64  `db:"user_id"`
	Kind       string `db:"kind"` // the account state: reconnect, captcha, limited
	Occurrence int    `db:"occurrence"`
}

// OpenTelegramWarnings closes the warnings whose account state has passed
// and opens one occurrence of each warning an account of a linked chat is
// in and that is not open yet, returning those just opened: each
// occurrence is told once, however many runs meet it.
func (s *Store) OpenTelegramWarnings(ctx context.Context) ([]TelegramWarning, error) {
	var opened []TelegramWarning
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.exec(ctx, tx, `UPDATE telegram_warnings SET open = FALSE WHERE open = TRUE AND NOT EXISTS
			(SELECT 1 FROM hh_accounts a WHERE a.user_id = telegram_warnings.user_id AND a.state = telegram_warnings.kind)`); err != nil {
			return err
		}
		var due []TelegramWarning
		if err := s.sel(ctx, tx, &due, `SELECT a.user_id, a.state AS kind, 0 AS occurrence
			FROM hh_accounts a JOIN telegram_links l ON l.user_id = a.user_id
			WHERE l.blocked_at IS NULL AND a.state IN ('reconnect', 'captcha', 'limited') AND NOT EXISTS
				(SELECT 1 FROM telegram_warnings w WHERE w.user_id = a.user_id AND w.kind = a.state AND w.open = TRUE)
			ORDER BY a.user_id`); err != nil {
			return err
		}
		for _, w := range due {
			if _, err := s.exec(ctx, tx, `INSERT INTO telegram_warnings (user_id, kind, occurrence, open) VALUES (?, ?, 1, TRUE)
				ON CONFLICT (user_id, kind) DO UPDATE SET occurrence = telegram_warnings.occurrence + 1, open = TRUE`,
				w.UserID, w.Kind); err != nil {
				return err
			}
			if err := s.get(ctx, tx, &w.Occurrence, `SELECT occurrence FROM telegram_warnings WHERE user_id = ? AND kind = ?`,
				w.UserID, w.Kind); err != nil {
				return err
			}
			opened = append(opened, w)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: open telegram warnings: %w", err)
	}
	return opened, nil
}

// TelegramOffset is the id of the next Telegram update to ask for.
func (s *Store) TelegramOffset(ctx context.Context) (int64, error) {
	var next int64
	err := s.get(ctx, s.db, &next, `SELECT next_update FROM telegram_offset WHERE id = 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // nothing handled yet
	}
	if err != nil {
		return 0, fmt.Errorf("store: telegram offset: %w", err)
	}
	return next, nil
}

// ClaimTelegramUpdate moves the offset past updateID unless it is there
// already: only the caller that gets true handles the update, so an update
// fetched twice (a poller that lost its lease, a restart) is handled once.
func (s *Store) ClaimTelegramUpdate(ctx context.Context, updateID int64) (bool, error) {
	// The row is created by the first claim, not by the migration, so a new
	// database stays empty (cmd/dbcopy copies only into an empty one).
	if _, err := s.exec(ctx, s.db, `INSERT INTO telegram_offset (id, next_update) VALUES (1, 0)
		ON CONFLICT (id) DO NOTHING`); err != nil {
		return false, fmt.Errorf("store: claim telegram update %d: %w", updateID, err)
	}
	n, err := s.exec(ctx, s.db, `UPDATE telegram_offset SET next_update = ? WHERE id = 1 AND next_update <= ?`,
		updateID+1, updateID)
	if err != nil {
		return false, fmt.Errorf("store: claim telegram update %d: %w", updateID, err)
	}
	return n == 1, nil
}

// RunReviewItems lists the review items rule run runID of userID left.
func (s *Store) RunReviewItems(ctx context.Context, userID, runID int64) ([]Application, error) {
	return s.applications(ctx, "review items of a run", userID, `AND run_id = ? AND status = 'review' ORDER BY id`, runID)
}
