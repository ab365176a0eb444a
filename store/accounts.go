package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/otklik/otklik/hh"
)

// AccountState says whether Otklik may use a user's hh account.
type AccountState string

// Account states; the web shows a warning for every state but connected.
const (
	AccountConnected AccountState = "connected"
	AccountReconnect AccountState = "reconnect" // refresh failed: the person must connect again
	AccountCaptcha   AccountState = "captcha"   // hh asks for a captcha at CaptchaURL
	AccountLimited   AccountState = "limited"   // daily limit reached until LimitedUntil
)

// HHAccount is a user's connected hh account with its tokens decrypted.
type HHAccount struct {
	UserID    int64
	HHUserID  string
	FirstName string
	LastName  string
	// Token holds the plaintext pair and ExpiresAt; TokenType is "bearer".
	Token hh.Token
	// TokenGeneration grows by one on every token replacement; pass it to
	// ReplaceTokens to swap only the pair that was read.
	TokenGeneration int64
	KeyVersion      int

	State        AccountState
	CaptchaURL   string
	LimitedUntil time.Time // zero unless limited
	StateMessage string
	ConnectedAt  time.Time
	UpdatedAt    time.Time
}

// Usable reports whether the worker may call hh for this account at now: it
// is connected, or its limit has passed (the state itself is left for the
// worker to clear with SetAccountState).
func (a *HHAccount) Usable(now time.Time) bool {
	switch a.State {
	case AccountConnected:
		return true
	case AccountLimited:
		return !a.LimitedUntil.IsZero() && !now.Before(a.LimitedUntil)
	}
	return false
}

type accountRow struct {
	UserID          int64      `db:"user_id"`
	HHUserID        string     `db:"hh_user_id"`
	FirstName       string     `db:"first_name"`
	LastName        string     `db:"last_name"`
	AccessTokenEnc  string     `db:"access_token_enc"`
	RefreshTokenEnc string     `db:"refresh_token_enc"`
	KeyVersion      int        `db:"key_version"`
	ExpiresAt       time.Time  `db:"expires_at"`
	TokenGeneration int64      `db:"token_generation"`
	State           string     `db:"state"`
	CaptchaURL      string     `db:"captcha_url"`
	LimitedUntil    *time.Time `db:"limited_until"`
	StateMessage    string     `db:"state_message"`
	ConnectedAt     time.Time  `db:"connected_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
}

const accountColumns = `user_id, hh_user_id, first_name, last_name, access_token_enc, refresh_token_enc,
	key_version, expires_at, token_generation, state, captcha_url, limited_until, state_message,
	connected_at, updated_at`

const (
	columnAccessToken  = "access_token"
	columnRefreshToken = "refresh_token"
)

// sealPair encrypts a token pair for userID under the current key.
func (s *Store) sealPair(userID int64, tok hh.Token) (access, refresh string, err error) {
	if s.cipher == nil {
		return "", "", ErrNoCipher
	}
	if access, err = s.cipher.encrypt(userID, columnAccessToken, tok.AccessToken); err != nil {
		return "", "", err
	}
	if refresh, err = s.cipher.encrypt(userID, columnRefreshToken, tok.RefreshToken); err != nil {
		return "", "", err
	}
	return access, refresh, nil
}

func (s *Store) openRow(r *accountRow) (*HHAccount, error) {
	if s.cipher == nil {
		return nil, ErrNoCipher
	}
	access, _, err := s.cipher.decrypt(r.UserID, columnAccessToken, r.AccessTokenEnc)
	if err != nil {
		return nil, fmt.Errorf("access token: %w", err)
	}
	refresh, _, err := s.cipher.decrypt(r.UserID, columnRefreshToken, r.RefreshTokenEnc)
	if err != nil {
		return nil, fmt.Errorf("refresh token: %w", err)
	}
	a := r.account()
	a.Token.AccessToken, a.Token.RefreshToken, a.Token.TokenType = access, refresh, "bearer"
	return a, nil
}

// SaveHHAccount connects userID's hh account, or replaces it on re-connect:
// new profile and tokens, state back to connected, generation incremented.
// acct.UserID is ignored; userID decides.
func (s *Store) SaveHHAccount(ctx context.Context, userID int64, acct HHAccount) error {
	access, refresh, err := s.sealPair(userID, acct.Token)
	if err != nil {
		return fmt.Errorf("store: save hh account of user %d: %w", userID, err)
	}
	now := ts(s.now())
	_, err = s.exec(ctx, s.db, `
		INSERT INTO hh_accounts (user_id, hh_user_id, first_name, last_name, access_token_enc,
			refresh_token_enc, key_version, expires_at, token_generation, state, captcha_url,
			limited_until, state_message, connected_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 'connected', '', NULL, '', ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			hh_user_id = excluded.hh_user_id,
			first_name = excluded.first_name,
			last_name = excluded.last_name,
			access_token_enc = excluded.access_token_enc,
			refresh_token_enc = excluded.refresh_token_enc,
			key_version = excluded.key_version,
			expires_at = excluded.expires_at,
			token_generation = hh_accounts.token_generation + 1,
			state = 'connected',
			captcha_url = '',
			limited_until = NULL,
			state_message = '',
			connected_at = excluded.connected_at,
			updated_at = excluded.updated_at`,
		userID, acct.HHUserID, acct.FirstName, acct.LastName, access, refresh,
		s.cipher.current, ts(acct.Token.ExpiresAt), now, now)
	if err != nil {
		return fmt.Errorf("store: save hh account of user %d: %w", userID, err)
	}
	return nil
}

// HHAccount returns userID's hh account with decrypted tokens.
func (s *Store) HHAccount(ctx context.Context, userID int64) (*HHAccount, error) {
	var r accountRow
	if err := s.get(ctx, s.db, &r, `SELECT `+accountColumns+` FROM hh_accounts WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: hh account of user %d: %w", userID, notFound(err))
	}
	a, err := s.openRow(&r)
	if err != nil {
		return nil, fmt.Errorf("store: hh account of user %d: %w", userID, err)
	}
	return a, nil
}

// HHAccountState returns userID's hh account without decrypting its tokens
// (Token holds only ExpiresAt): for pages and warnings, which never need them.
func (s *Store) HHAccountState(ctx context.Context, userID int64) (*HHAccount, error) {
	var r accountRow
	if err := s.get(ctx, s.db, &r, `SELECT `+accountColumns+` FROM hh_accounts WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: hh account state of user %d: %w", userID, notFound(err))
	}
	return r.account(), nil
}

// account is the row without its tokens.
func (r *accountRow) account() *HHAccount {
	return &HHAccount{
		UserID:          r.UserID,
		HHUserID:        r.HHUserID,
		FirstName:       r.FirstName,
		LastName:        r.LastName,
		Token:           hh.Token{ExpiresAt: r.ExpiresAt},
		TokenGeneration: r.TokenGeneration,
		KeyVersion:      r.KeyVersion,
		State:           AccountState(r.State),
		CaptchaURL:      r.CaptchaURL,
		LimitedUntil:    deref(r.LimitedUntil),
		StateMessage:    r.StateMessage,
		ConnectedAt:     r.ConnectedAt,
		UpdatedAt:       r.UpdatedAt,
	}
}

// ReplaceTokens stores a refreshed pair only if the account's generation is
// still expectGeneration (compare-and-swap), so of two workers that refreshed
// at once exactly one pair is kept. swapped=false with a nil error means
// another writer got there first: read the account again.
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) ReplaceTokens(ctx context.Context, userID, expectGeneration int64, tok hh.Token) (bool, error) {
	access, refresh, err := s.sealPair(userID, tok)
	if err != nil {
		return false, fmt.Errorf("store: replace tokens of user %d: %w", userID, err)
	}
	var swapped bool
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `
			UPDATE hh_accounts SET access_token_enc = ?, refresh_token_enc = ?, key_version = ?,
				expires_at = ?, token_generation = token_generation + 1, updated_at = ?
			WHERE user_id = ? AND token_generation = ?`,
			access, refresh, s.cipher.current, ts(tok.ExpiresAt), ts(s.now()), userID, expectGeneration)
		if err != nil {
			return err
		}
		if n == 1 {
			swapped = true
			return nil
		}
		var exists int
		return notFound(s.get(ctx, tx, &exists, `SELECT 1 FROM hh_accounts WHERE user_id = ?`, userID))
	})
	if err != nil {
		return false, fmt.Errorf("store: replace tokens of user %d: %w", userID, err)
	}
	return swapped, nil
}

// SetAccountState records what hh said about the account: captchaURL for
// AccountCaptcha, limitedUntil for AccountLimited (zero otherwise), and a
// message for the person. AccountConnected clears them.
func (s *Store) SetAccountState(ctx context.Context, userID int64, state AccountState, captchaURL string, limitedUntil time.Time, message string) error {
	switch state {
	case AccountConnected, AccountReconnect, AccountCaptcha, AccountLimited:
	default:
		return fmt.Errorf("store: set hh account state of user %d: %w state %q", userID, ErrInvalid, state)
	}
	n, err := s.exec(ctx, s.db, `
		UPDATE hh_accounts SET state = ?, captcha_url = ?, limited_until = ?, state_message = ?, updated_at = ?
		WHERE user_id = ?`,
		string(state), captchaURL, tsPtr(limitedUntil), message, ts(s.now()), userID)
	if err != nil {
		return fmt.Errorf("store: set hh account state of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: set hh account state of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// MarkReconnect records that hh refused the account's tokens, but only if
// they are still the pair of generation (the pair the refused request used):
// a person who connected again meanwhile, or a worker that refreshed, has a
// pair hh takes, and a late answer about the old one must not flag it.
// marked is false when the pair had been replaced.
//
// Under PostgreSQL this relies on READ COMMITTED (the default) only: the
// UPDATE's WHERE is re-checked against the row's newest version after any
// concurrent writer commits, so of two racing callers one matches.
func (s *Store) MarkReconnect(ctx context.Context, userID, generation int64, message string) (marked bool, err error) {
	n, err := s.exec(ctx, s.db, `
		UPDATE hh_accounts SET state = 'reconnect', captcha_url = '', limited_until = NULL, state_message = ?, updated_at = ?
		WHERE user_id = ? AND token_generation = ?`,
		message, ts(s.now()), userID, generation)
	if err != nil {
		return false, fmt.Errorf("store: mark hh account of user %d for reconnect: %w", userID, err)
	}
	if n == 1 {
		return true, nil
	}
	var exists int
	if err := s.get(ctx, s.db, &exists, `SELECT 1 FROM hh_accounts WHERE user_id = ?`, userID); err != nil {
		return false, fmt.Errorf("store: mark hh account of user %d for reconnect: %w", userID, notFound(err))
	}
	return false, nil
}

// ResumeAccount sets the account back to connected if it is still in state
// from (a pause whose time has passed), so it never clears a state another
// writer set meanwhile, such as "reconnect needed". resumed is false when
// the state had changed.
func (s *Store) ResumeAccount(ctx context.Context, userID int64, from AccountState) (resumed bool, err error) {
	n, err := s.exec(ctx, s.db, `
		UPDATE hh_accounts SET state = 'connected', captcha_url = '', limited_until = NULL, state_message = '', updated_at = ?
		WHERE user_id = ? AND state = ?`,
		ts(s.now()), userID, string(from))
	if err != nil {
		return false, fmt.Errorf("store: resume hh account of user %d: %w", userID, err)
	}
	return n == 1, nil
}

// PausedAccounts lists the accounts (without their tokens, as
// HHAccountState) that wait out a captcha or the daily limit, for the
// scheduler's probe.
func (s *Store) PausedAccounts(ctx context.Context) ([]*HHAccount, error) {
	var rows []accountRow
	if err := s.sel(ctx, s.db, &rows, `
		SELECT `+accountColumns+` FROM hh_accounts WHERE state IN ('captcha', 'limited') ORDER BY user_id`); err != nil {
		return nil, fmt.Errorf("store: paused hh accounts: %w", err)
	}
	out := make([]*HHAccount, len(rows))
	for i := range rows {
		out[i] = rows[i].account()
	}
	return out, nil
}

// DeleteHHAccount disconnects: the row and its tokens are gone. Deleting a
// missing account is not an error.
func (s *Store) DeleteHHAccount(ctx context.Context, userID int64) error {
	if _, err := s.exec(ctx, s.db, `DELETE FROM hh_accounts WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: delete hh account of user %d: %w", userID, err)
	}
	return nil
}

// AccountsWithExpiredTokens lists users whose access token expired by now and
// whose account still works, for the scheduler's token:refresh tasks.
func (s *Store) AccountsWithExpiredTokens(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := s.sel(ctx, s.db, &ids, `
		SELECT user_id FROM hh_accounts WHERE expires_at <= ? AND state <> 'reconnect' ORDER BY user_id`, ts(now))
	if err != nil {
		return nil, fmt.Errorf("store: accounts with expired tokens: %w", err)
	}
	return ids, nil
}
