package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"

	"github.com/otklik/otklik/store/storetest"
)

func testAccount(access, refresh string) HHAccount {
	return HHAccount{
		HHUserID:  "hh-42",
		FirstName: "Анна",
		LastName:  "Петрова",
		Token: hh.Token{
			AccessToken:  access,
			RefreshToken: refresh,
			ExpiresAt:    time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		},
	}
}

func TestTokenEncryptionRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-one", "REFRESH-one")); err != nil {
		t.Fatal(err)
	}
	a, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Token.AccessToken != "ACCESS-one" || a.Token.RefreshToken != "REFRESH-one" || !a.Token.ExpiresAt.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("token = %+v", a.Token)
	}
	if a.State != AccountConnected || a.FirstName != "Анна" || a.HHUserID != "hh-42" || a.TokenGeneration != 1 || a.KeyVersion != 1 {
		t.Fatalf("account = %+v", a)
	}

	// Re-connect replaces everything and clears the state.
	if err := s.SetAccountState(ctx, u.ID, AccountCaptcha, "https://hh.ru/captcha", time.Time{}, "captcha"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-two", "REFRESH-two")); err != nil {
		t.Fatal(err)
	}
	a, err = s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Token.AccessToken != "ACCESS-two" || a.State != AccountConnected || a.CaptchaURL != "" || a.TokenGeneration != 2 {
		t.Fatalf("after re-connect: %+v", a)
	}
}

func TestTokenCiphertextIsBoundToRowAndColumn(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	alice := mustUser(t, s, "alice@example.com")
	bob := mustUser(t, s, "bob@example.com")
	for _, u := range []*User{alice, bob} {
		if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-"+u.Email, "REFRESH-"+u.Email)); err != nil {
			t.Fatal(err)
		}
	}
	// Alice's ciphertext copied into Bob's row does not decrypt there.
	if _, err := s.db.Exec(s.db.Rebind(`UPDATE hh_accounts SET access_token_enc =
		(SELECT access_token_enc FROM hh_accounts WHERE user_id = ?) WHERE user_id = ?`), alice.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HHAccount(ctx, bob.ID); err == nil {
		t.Fatal("another user's ciphertext decrypted")
	}
	// Nor does a refresh token moved into the access column.
	if _, err := s.db.Exec(s.db.Rebind(`UPDATE hh_accounts SET access_token_enc = refresh_token_enc WHERE user_id = ?`), alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HHAccount(ctx, alice.ID); err == nil {
		t.Fatal("the refresh token decrypted as the access token")
	}
}

func TestTokenWrongKeyFailsAndRotationWorks(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t)
	oldSecret := []byte("the old secret key, long enough....")
	newSecret := []byte("the new secret key, long enough....")
	oldOnly, err := NewCipher(map[int][]byte{1: oldSecret}, 1)
	if err != nil {
		t.Fatal(err)
	}

	s := mustOpenPath(t, path, Options{Cipher: oldOnly, Migrate: true})
	u := mustUser(t, s, "a@example.com")
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-rotate", "REFRESH-rotate")); err != nil {
		t.Fatal(err)
	}

	wrong, _ := NewCipher(map[int][]byte{1: newSecret}, 1)
	if _, err := mustOpenPath(t, path, Options{Cipher: wrong}).HHAccount(ctx, u.ID); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("HHAccount with the wrong key = %v, want a decryption error", err)
	}
	newOnly, _ := NewCipher(map[int][]byte{2: newSecret}, 2)
	if _, err := mustOpenPath(t, path, Options{Cipher: newOnly}).HHAccount(ctx, u.ID); err == nil {
		t.Fatal("a version-1 token decrypted without the version-1 key")
	}
	if _, err := mustOpenPath(t, path, Options{}).HHAccount(ctx, u.ID); !errors.Is(err, ErrNoCipher) {
		t.Fatalf("HHAccount without a cipher = %v, want ErrNoCipher", err)
	}

	both, _ := NewCipher(map[int][]byte{1: oldSecret, 2: newSecret}, 2)
	rotating := mustOpenPath(t, path, Options{Cipher: both})
	if a, err := rotating.HHAccount(ctx, u.ID); err != nil || a.Token.AccessToken != "ACCESS-rotate" {
		t.Fatalf("old row under the new keyring: %v, %v", a, err)
	}
	n, err := rotating.RotateTokens(ctx)
	if err != nil || n != 1 {
		t.Fatalf("RotateTokens = %d, %v; want 1", n, err)
	}
	if n, err := rotating.RotateTokens(ctx); err != nil || n != 0 {
		t.Fatalf("second RotateTokens = %d, %v; want 0", n, err)
	}

	a, err := mustOpenPath(t, path, Options{Cipher: newOnly}).HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatalf("after rotation the new key alone fails: %v", err)
	}
	if a.Token.AccessToken != "ACCESS-rotate" || a.Token.RefreshToken != "REFRESH-rotate" || a.KeyVersion != 2 || a.TokenGeneration != 1 {
		t.Fatalf("after rotation: %+v", a)
	}
}

func TestNoTokenInPlainTextOnDisk(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "otklik.db")
	s := mustOpenPath(t, path, Options{Cipher: testCipher(t), Migrate: true})
	u := mustUser(t, s, "a@example.com")
	secrets := []string{"AccessTokenPlain0123456789", "RefreshTokenPlain0123456789", "AccessTokenPlainNext", "RefreshTokenPlainNext"}
	if err := s.SaveHHAccount(ctx, u.ID, testAccount(secrets[0], secrets[1])); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceTokens(ctx, u.ID, 1, hh.Token{AccessToken: secrets[2], RefreshToken: secrets[3], ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	scan := func(stage string) {
		t.Helper()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(path + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range secrets {
				if bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s: %q in plain text in %s", stage, secret, filepath.Base(path+suffix))
				}
			}
		}
	}
	scan("in the WAL")
	if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	scan("after a checkpoint")
}

func TestReplaceTokensCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("ACCESS-0", "REFRESH-0")); err != nil {
		t.Fatal(err)
	}
	a, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	const workers = 20
	var wg sync.WaitGroup
	won := make(chan string, workers)
	for i := range workers {
		wg.Go(func() {
			tok := hh.Token{AccessToken: fmt.Sprintf("ACCESS-%d", i+1), RefreshToken: fmt.Sprintf("REFRESH-%d", i+1), ExpiresAt: time.Now().Add(time.Hour)}
			swapped, err := s.ReplaceTokens(ctx, u.ID, a.TokenGeneration, tok)
			if err != nil {
				t.Error(err)
				return
			}
			if swapped {
				won <- tok.AccessToken
			}
		})
	}
	wg.Wait()
	close(won)
	var winners []string
	for w := range won {
		winners = append(winners, w)
	}
	if len(winners) != 1 {
		t.Fatalf("%d workers replaced the tokens, want exactly 1", len(winners))
	}
	after, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Token.AccessToken != winners[0] || after.TokenGeneration != a.TokenGeneration+1 {
		t.Fatalf("stored %q gen %d, winner %q", after.Token.AccessToken, after.TokenGeneration, winners[0])
	}
	if swapped, err := s.ReplaceTokens(ctx, u.ID+100, 1, hh.Token{}); swapped || !errors.Is(err, ErrNotFound) {
		t.Errorf("ReplaceTokens without an account = %v, %v", swapped, err)
	}
}

func TestAccountStateAndExpiry(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	acct := testAccount("A", "R")
	acct.Token.ExpiresAt = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if err := s.SaveHHAccount(ctx, u.ID, acct); err != nil {
		t.Fatal(err)
	}
	before := time.Date(2026, 1, 1, 11, 59, 0, 0, time.UTC)
	after := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if ids, _ := s.AccountsWithExpiredTokens(ctx, before); len(ids) != 0 {
		t.Errorf("expired before expiry: %v", ids)
	}
	if ids, _ := s.AccountsWithExpiredTokens(ctx, after); len(ids) != 1 || ids[0] != u.ID {
		t.Errorf("AccountsWithExpiredTokens at expiry = %v", ids)
	}

	until := time.Date(2026, 1, 2, 9, 30, 0, 0, time.FixedZone("MSK", 3*3600))
	if err := s.SetAccountState(ctx, u.ID, AccountLimited, "", until, "limit_exceeded"); err != nil {
		t.Fatal(err)
	}
	a, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.State != AccountLimited || !a.LimitedUntil.Equal(until) || a.StateMessage != "limit_exceeded" {
		t.Fatalf("limited account = %+v", a)
	}
	if st, err := s.HHAccountState(ctx, u.ID); err != nil || st.Token.AccessToken != "" || st.State != AccountLimited || !st.LimitedUntil.Equal(until) || st.FirstName != "Анна" {
		t.Fatalf("HHAccountState = %+v, %v", st, err)
	}
	if a.Usable(until.Add(-time.Second)) || !a.Usable(until) {
		t.Error("Usable around LimitedUntil is wrong")
	}

	if err := s.SetAccountState(ctx, u.ID, AccountReconnect, "", time.Time{}, "invalid_grant"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.AccountsWithExpiredTokens(ctx, after); len(ids) != 0 {
		t.Errorf("an account needing reconnect is due a refresh: %v", ids)
	}
	if err := s.SetAccountState(ctx, u.ID, "bogus", "", time.Time{}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown state: %v", err)
	}

	if err := s.DeleteHHAccount(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HHAccount(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("account after delete: %v", err)
	}
	var rows int
	s.db.Get(&rows, "SELECT COUNT(*) FROM hh_accounts")
	if rows != 0 {
		t.Fatalf("%d token rows left after disconnect", rows)
	}
}

func TestCipherRejectsBadKeys(t *testing.T) {
	if _, err := NewCipher(map[int][]byte{1: testSecret}, 2); err == nil {
		t.Error("current version without a secret accepted")
	}
	if _, err := NewCipher(map[int][]byte{1: []byte("short")}, 1); err == nil {
		t.Error("a short secret accepted")
	}
	if _, err := NewCipher(map[int][]byte{0: testSecret}, 0); err == nil {
		t.Error("version 0 accepted")
	}
}

// A late token_revoked about a pair that has been replaced (the person
// connected again, or a worker refreshed) leaves the account connected;
// about the pair still stored it asks for a reconnect.
func TestMarkReconnectOnlyForThePairUsed(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("A1", "R1")); err != nil {
		t.Fatal(err)
	}
	old, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The person connects again while a request with the old pair is out.
	if err := s.SaveHHAccount(ctx, u.ID, testAccount("A2", "R2")); err != nil {
		t.Fatal(err)
	}
	marked, err := s.MarkReconnect(ctx, u.ID, old.TokenGeneration, "token_revoked")
	if err != nil || marked {
		t.Fatalf("MarkReconnect with the replaced pair's generation = %v, %v; want false", marked, err)
	}
	if a, _ := s.HHAccountState(ctx, u.ID); a.State != AccountConnected {
		t.Fatalf("the reconnected account is %s", a.State)
	}
	cur, err := s.HHAccount(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	marked, err = s.MarkReconnect(ctx, u.ID, cur.TokenGeneration, "token_revoked")
	if err != nil || !marked {
		t.Fatalf("MarkReconnect with the current generation = %v, %v; want true", marked, err)
	}
	if a, _ := s.HHAccountState(ctx, u.ID); a.State != AccountReconnect || a.StateMessage != "token_revoked" {
		t.Fatalf("account after MarkReconnect = %+v", a)
	}
	if _, err := s.MarkReconnect(ctx, u.ID+100, 1, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkReconnect of a missing account: %v", err)
	}
}

// Ending a pause clears only the pause it was about: an account that needs
// reconnecting meanwhile stays so. PausedAccounts lists captcha and limited
// accounts, whether or not they have rows waiting.
func TestResumeAccountClearsOnlyItsPause(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	other := mustUser(t, s, "b@example.com")
	for _, id := range []int64{u.ID, other.ID} {
		if err := s.SaveHHAccount(ctx, id, testAccount("A", "R")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetAccountState(ctx, u.ID, AccountCaptcha, "https://hh.ru/captcha", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountState(ctx, other.ID, AccountLimited, "", time.Now().Add(time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.PausedAccounts(ctx); err != nil || len(ids) != 2 || ids[0].UserID != u.ID || ids[1].UserID != other.ID {
		t.Fatalf("PausedAccounts = %v, %v", ids, err)
	}
	if ok, err := s.ResumeAccount(ctx, u.ID, AccountLimited); err != nil || ok {
		t.Fatalf("resuming a captcha pause as a limit = %v, %v", ok, err)
	}
	if ok, err := s.ResumeAccount(ctx, u.ID, AccountCaptcha); err != nil || !ok {
		t.Fatalf("ResumeAccount = %v, %v", ok, err)
	}
	if a, _ := s.HHAccountState(ctx, u.ID); a.State != AccountConnected || a.CaptchaURL != "" {
		t.Fatalf("after ResumeAccount: %+v", a)
	}
	if err := s.SetAccountState(ctx, other.ID, AccountReconnect, "", time.Time{}, "token_revoked"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ResumeAccount(ctx, other.ID, AccountLimited); err != nil || ok {
		t.Fatalf("resuming an account that needs reconnecting = %v, %v", ok, err)
	}
	if a, _ := s.HHAccountState(ctx, other.ID); a.State != AccountReconnect {
		t.Fatalf("a stale resume cleared the reconnect: %s", a.State)
	}
	if ids, err := s.PausedAccounts(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("PausedAccounts = %v, %v", ids, err)
	}
}
