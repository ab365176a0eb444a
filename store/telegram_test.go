package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

// A link code works once and only in its time; linking again replaces the
// chat, and a chat acts for one person only.
func TestTelegramLinkCodes(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	anna, bob := mustUser(t, s, "anna@example.com"), mustUser(t, s, "bob@example.com")
	now := time.Now()
	if err := s.SaveTelegramCode(ctx, anna.ID, "a1", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTelegram(ctx, "a1", 10, "@anna", now.Add(16*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Errorf("a code past its time: %v", err)
	}
	if _, err := s.LinkTelegram(ctx, "a1", 10, "@anna", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("an expired code tried again: %v", err)
	}
	if err := s.SaveTelegramCode(ctx, anna.ID, "a2", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if id, err := s.LinkTelegram(ctx, "a2", 10, "@anna", now); err != nil || id != anna.ID {
		t.Fatalf("a valid code: %d, %v", id, err)
	}
	if _, err := s.LinkTelegram(ctx, "a2", 11, "@eve", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("a used code: %v", err)
	}
	// Linking again replaces the chat.
	if err := s.SaveTelegramCode(ctx, anna.ID, "a3", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTelegram(ctx, "a3", 12, "@anna2", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TelegramLinkByChat(ctx, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old chat still acts: %v", err)
	}
	// Bob links Anna's chat: it acts for Bob only.
	if err := s.SaveTelegramCode(ctx, bob.ID, "b1", now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTelegram(ctx, "b1", 12, "@shared", now); err != nil {
		t.Fatal(err)
	}
	if l, err := s.TelegramLinkByChat(ctx, 12); err != nil || l.UserID != bob.ID {
		t.Errorf("chat 12 acts for %+v, %v", l, err)
	}
	if _, err := s.TelegramLink(ctx, anna.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Anna keeps the chat Bob took: %v", err)
	}
	// Blocked: acts for nobody, shown as blocked.
	if err := s.BlockTelegram(ctx, bob.ID, 12, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TelegramLinkByChat(ctx, 12); !errors.Is(err, ErrNotFound) {
		t.Errorf("a blocked chat still acts: %v", err)
	}
	if l, err := s.TelegramLink(ctx, bob.ID); err != nil || l.Linked() {
		t.Errorf("Bob's blocked link: %+v, %v", l, err)
	}
}

// A message key is claimed once; released, it can be claimed again.
func TestTelegramMessageClaims(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	u := mustUser(t, s, "anna@example.com")
	for i, want := range []bool{true, false} {
		if got, err := s.ClaimTelegramMessage(ctx, "tg:summary:1:2026-12-04", u.ID, time.Now()); err != nil || got != want {
			t.Errorf("claim %d: %v, %v", i, got, err)
		}
	}
	if err := s.ReleaseTelegramMessage(ctx, "tg:summary:1:2026-12-04"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimTelegramMessage(ctx, "tg:summary:1:2026-12-04", u.ID, time.Now()); !got {
		t.Error("a released key could not be claimed")
	}
	// Updates: each id claimed once, never one behind the offset.
	for _, c := range []struct {
		id   int64
		want bool
	}{{5, true}, {5, false}, {4, false}, {9, true}, {6, false}} {
		if got, err := s.ClaimTelegramUpdate(ctx, c.id); err != nil || got != c.want {
			t.Errorf("claim update %d: %v, %v", c.id, got, err)
		}
	}
	if off, _ := s.TelegramOffset(ctx); off != 10 {
		t.Errorf("offset %d, want 10", off)
	}
}

// A warning opens once per occurrence: while the account stays in the
// state nothing new opens; once it left and came back, a new one does.
func TestTelegramWarningOccurrences(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	u := mustUser(t, s, "anna@example.com")
	if err := s.SaveHHAccount(ctx, u.ID, HHAccount{HHUserID: "1", Token: hh.Token{AccessToken: "a", RefreshToken: "r",
		ExpiresAt: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTelegramCode(ctx, u.ID, "c", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkTelegram(ctx, "c", 10, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	open := func() []TelegramWarning {
		t.Helper()
		w, err := s.OpenTelegramWarnings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if w := open(); len(w) != 0 {
		t.Errorf("a connected account: %+v", w)
	}
	if err := s.SetAccountState(ctx, u.ID, AccountCaptcha, "https://captcha", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if w := open(); len(w) != 1 || w[0].Kind != "captcha" || w[0].Occurrence != 1 {
		t.Errorf("first captcha: %+v", w)
	}
	if w := open(); len(w) != 0 {
		t.Errorf("the same captcha again: %+v", w)
	}
	if _, err := s.ResumeAccount(ctx, u.ID, AccountCaptcha); err != nil {
		t.Fatal(err)
	}
	open()
	if err := s.SetAccountState(ctx, u.ID, AccountCaptcha, "https://captcha", time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if w := open(); len(w) != 1 || w[0].Occurrence != 2 {
		t.Errorf("second captcha: %+v", w)
	}
}
