package store

import (
	"context"
	"maps"
	"testing"

	"github.com/otklik/otklik/store/storetest"
)

// Start-up tries one account per key version in use, found in one query:
// none on a fresh instance, then the lowest user of each version, and only
// the current version once the tokens are rotated.
func TestHHAccountsByKeyVersion(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t)
	v1, err := NewCipher(map[int][]byte{1: testSecret}, 1)
	if err != nil {
		t.Fatal(err)
	}
	newSecret := []byte("the new secret key, long enough....")
	v2, err := NewCipher(map[int][]byte{1: testSecret, 2: newSecret}, 2)
	if err != nil {
		t.Fatal(err)
	}
	old := mustOpenPath(t, path, Options{Cipher: v1, Migrate: true})
	check := func(s *Store, want map[int]int64) {
		t.Helper()
		got, err := s.HHAccountsByKeyVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("HHAccountsByKeyVersion = %v, want %v", got, want)
		}
	}

	check(old, map[int]int64{})
	mustUser(t, old, "nobody@example.com") // no hh account: never a sample
	a := mustUser(t, old, "a@example.com")
	b := mustUser(t, old, "b@example.com")
	c := mustUser(t, old, "c@example.com")
	for _, u := range []*User{b, a} {
		if err := old.SaveHHAccount(ctx, u.ID, testAccount("ACCESS", "REFRESH")); err != nil {
			t.Fatal(err)
		}
	}
	check(old, map[int]int64{1: a.ID})

	cur := mustOpenPath(t, path, Options{Cipher: v2})
	if err := cur.SaveHHAccount(ctx, c.ID, testAccount("ACCESS-c", "REFRESH-c")); err != nil {
		t.Fatal(err)
	}
	check(cur, map[int]int64{1: a.ID, 2: c.ID})

	if n, err := cur.RotateTokens(ctx); err != nil || n != 2 {
		t.Fatalf("RotateTokens = %d, %v; want 2", n, err)
	}
	check(cur, map[int]int64{2: a.ID})

	if err := cur.DeleteHHAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check(cur, map[int]int64{2: b.ID})
}
