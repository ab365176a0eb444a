package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/config"
	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// A SECRET_KEY other than the one the stored hh tokens were encrypted with
// stops web and worker at start, naming SECRET_KEY, instead of surfacing
// later as every account failing to decrypt.
func TestWrongSecretKeyRefusesToStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const keyA = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	const keyB = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
	right := testConfig(t, dir, map[string]string{"SECRET_KEY": keyA})
	wrong := testConfig(t, dir, map[string]string{"SECRET_KEY": keyB})

	// A fresh database has no tokens to check: any key starts.
	st, err := OpenStore(ctx, wrong, true, discardLogger)
	if err != nil {
		t.Fatalf("fresh database: %v", err)
	}
	st.Close()

	st, err = OpenStore(ctx, right, true, discardLogger)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "a@example.com", "$2a$10$hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, "b@example.com", "$2a$10$hash"); err != nil { // no hh account
		t.Fatal(err)
	}
	tok := hh.Token{AccessToken: "access", RefreshToken: "refresh", ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.SaveHHAccount(ctx, u.ID, store.HHAccount{HHUserID: "1", FirstName: "Ivan", Token: tok}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	for _, migrate := range []bool{false, true} { // worker, web
		st, err := OpenStore(ctx, wrong, migrate, discardLogger)
		if err == nil {
			st.Close()
		}
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != "SECRET_KEY" || !strings.Contains(ce.Reason, "SECRET_KEY_PREVIOUS=") {
			t.Errorf("OpenStore(migrate=%v) with the wrong key: %v, want an error naming SECRET_KEY and how to rotate", migrate, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if inst, err := OpenInstance(ctx, wrong, ln, discardLogger); err == nil || !strings.Contains(err.Error(), "SECRET_KEY") {
		if inst != nil {
			inst.Close()
		}
		t.Errorf("web instance with the wrong key: %v, want an error naming SECRET_KEY", err)
	}

	st, err = OpenStore(ctx, right, false, discardLogger)
	if err != nil {
		t.Fatalf("the right key: %v", err)
	}
	st.Close()
}
