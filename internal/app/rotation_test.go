package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// The operator's rotation: tokens written under key 1 keep working when key 2
// becomes SECRET_KEY with key 1 in SECRET_KEY_PREVIOUS; the web process
// re-encrypts them and says so, the worker only reads; afterwards key 2
// alone is enough, and a missing or wrong key refuses to start.
func TestSecretKeyRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const (
		keyA = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
		keyB = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
		keyC = "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2M="
	)
	v1 := testConfig(t, dir, map[string]string{"SECRET_KEY": keyA})
	rotating := testConfig(t, dir, map[string]string{"SECRET_KEY": keyB, "SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:" + keyA})
	v2 := testConfig(t, dir, map[string]string{"SECRET_KEY": keyB, "SECRET_KEY_VERSION": "2"})

	st, err := OpenStore(ctx, v1, true, discardLogger)
	if err != nil {
		t.Fatal(err)
	}
	var users []int64
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		u, err := st.CreateUser(ctx, email, "$2a$10$hash")
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for _, id := range users[:2] { // c has no hh account
		tok := hh.Token{AccessToken: "access-" + strconv.FormatInt(id, 10), RefreshToken: "refresh-" + strconv.FormatInt(id, 10), ExpiresAt: time.Now().Add(time.Hour)}
		if err := st.SaveHHAccount(ctx, id, store.HHAccount{HHUserID: "1", FirstName: "Ivan", Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	// Too early or wrong: the new key alone, the new key as version 1, a
	// wrong previous key.
	mustRefuse(t, "new key without the old one", v2, "SECRET_KEY_PREVIOUS=1:<key>")
	mustRefuse(t, "new key under the old version", testConfig(t, dir, map[string]string{"SECRET_KEY": keyB}),
		"keep the old one as SECRET_KEY_PREVIOUS")
	mustRefuse(t, "wrong previous key", testConfig(t, dir, map[string]string{
		"SECRET_KEY": keyB, "SECRET_KEY_VERSION": "2", "SECRET_KEY_PREVIOUS": "1:" + keyC,
	}), "the version 1 key in SECRET_KEY_PREVIOUS does not decrypt")

	// The worker reads both versions and rotates nothing.
	logs := &bytes.Buffer{}
	st, err = OpenStore(ctx, rotating, false, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("worker during rotation: %v", err)
	}
	checkTokens(t, st, users[:2], 1)
	st.Close()
	if logs.Len() != 0 {
		t.Errorf("the worker logged about rotation: %s", logs)
	}

	// The web process rotates, counts, and tells the operator the old key
	// is no longer needed; the secret itself is never logged.
	st, err = OpenStore(ctx, rotating, true, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("web during rotation: %v", err)
	}
	checkTokens(t, st, users[:2], 2)
	st.Close()
	lines := logLines(t, logs)
	if len(lines) != 2 || lines[0]["rotated_accounts"] != 2.0 || lines[0]["key_version"] != 2.0 ||
		!strings.Contains(lines[1]["msg"].(string), "SECRET_KEY_PREVIOUS is no longer needed") {
		t.Errorf("rotation logs: %v", lines)
	}
	for _, secret := range []string{keyA, keyB, "access-", "refresh-"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret reached the log: %s", logs)
		}
	}

	// Restarted with the old key still listed: nothing left to rotate.
	logs.Reset()
	st, err = OpenStore(ctx, rotating, true, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if lines := logLines(t, logs); len(lines) != 1 || lines[0]["rotated_accounts"] != nil {
		t.Errorf("second start logs: %v", lines)
	}

	// The old key removed: both processes start on the new one alone.
	for _, migrate := range []bool{false, true} {
		st, err := OpenStore(ctx, v2, migrate, discardLogger)
		if err != nil {
			t.Fatalf("key 2 alone (migrate=%v): %v", migrate, err)
		}
		checkTokens(t, st, users[:2], 2)
		st.Close()
	}
	// ...and a process left on the old configuration cannot.
	mustRefuse(t, "old key after rotation", v1, "SECRET_KEY_VERSION=2")
}

// mustRefuse checks that worker and web refuse cfg with an error naming
// SECRET_KEY whose reason says advice.
func mustRefuse(t *testing.T, name string, cfg config.Config, advice string) {
	t.Helper()
	for _, migrate := range []bool{false, true} {
		st, err := OpenStore(context.Background(), cfg, migrate, discardLogger)
		if err == nil {
			st.Close()
		}
		t.Logf("%s (migrate=%v): %v", name, migrate, err)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != "SECRET_KEY" || !strings.Contains(ce.Reason, advice) {
			t.Errorf("%s (migrate=%v): %v, want a refusal naming SECRET_KEY that says %q", name, migrate, err, advice)
		}
	}
}

// checkTokens reads every user's tokens and checks their key version.
func checkTokens(t *testing.T, st *store.Store, users []int64, version int) {
	t.Helper()
	for _, id := range users {
		a, err := st.HHAccount(context.Background(), id)
		if err != nil {
			t.Fatalf("user %d: %v", id, err)
		}
		if a.Token.AccessToken != "access-"+strconv.FormatInt(id, 10) || a.Token.RefreshToken != "refresh-"+strconv.FormatInt(id, 10) || a.KeyVersion != version {
			t.Errorf("user %d: tokens %q/%q under version %d, want version %d", id, a.Token.AccessToken, a.Token.RefreshToken, a.KeyVersion, version)
		}
	}
}

func logLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}
