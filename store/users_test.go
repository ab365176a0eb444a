package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestFirstUserIsAdmin(t *testing.T) {
	s := mustOpen(t)
	first := mustUser(t, s, "first@example.com")
	second := mustUser(t, s, "second@example.com")
	if !first.IsAdmin || second.IsAdmin {
		t.Fatalf("admin flags = %v, %v; want only the first", first.IsAdmin, second.IsAdmin)
	}
	if first.Language != "ru" || first.TimeZone != "Europe/Moscow" || first.SummaryHour != 20 || first.SummaryEmail != "" {
		t.Errorf("defaults = %+v", first)
	}
}

func TestFirstUserIsAdminUnderConcurrentSignUps(t *testing.T) {
	s := mustOpen(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.CreateUser(context.Background(), fmt.Sprintf("u%d@example.com", i), "hash")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var admins int
	if err := s.db.Get(&admins, "SELECT COUNT(*) FROM users WHERE is_admin = TRUE"); err != nil {
		t.Fatal(err)
	}
	if admins != 1 {
		t.Fatalf("%d admins after %d simultaneous sign-ups, want 1", admins, n)
	}
}

func TestEmailIsCaseInsensitive(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, " Anna@Example.COM ")
	if u.Email != "anna@example.com" {
		t.Errorf("stored e-mail = %q", u.Email)
	}
	if _, err := s.CreateUser(ctx, "ANNA@example.com", "hash"); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate e-mail in another case: %v, want ErrConflict", err)
	}
	got, err := s.UserByEmail(ctx, "anna@EXAMPLE.com")
	if err != nil || got.ID != u.ID {
		t.Fatalf("UserByEmail = %v, %v", got, err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UserByEmail of a stranger: %v", err)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("CountUsers = %d", n)
	}
}

func TestUpdateSettings(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	u := mustUser(t, s, "a@example.com")
	want := Settings{Language: "en", TimeZone: "Asia/Novosibirsk", SummaryHour: 7, SummaryEmail: "digest@example.com"}
	if err := s.UpdateSettings(ctx, u.ID, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != want.Language || got.TimeZone != want.TimeZone || got.SummaryHour != 7 || got.SummaryEmail != want.SummaryEmail {
		t.Errorf("after UpdateSettings: %+v", got)
	}
	for _, bad := range []Settings{
		{Language: "de", TimeZone: "UTC"},
		{Language: "ru", TimeZone: "UTC", SummaryHour: 24},
		{Language: "ru", TimeZone: ""},
	} {
		if err := s.UpdateSettings(ctx, u.ID, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("UpdateSettings(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.UpdateSettings(ctx, u.ID+1, want); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateSettings of a missing user: %v", err)
	}
	sched, err := s.SummarySchedules(ctx)
	if err != nil || len(sched) != 1 || sched[0] != (SummarySchedule{UserID: u.ID, TimeZone: "Asia/Novosibirsk", SummaryHour: 7}) {
		t.Errorf("SummarySchedules = %+v, %v", sched, err)
	}
	ids, err := s.ListUserIDs(ctx)
	if err != nil || len(ids) != 1 || ids[0] != u.ID {
		t.Errorf("ListUserIDs = %v, %v", ids, err)
	}
}
