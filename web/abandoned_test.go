package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A visitor who hangs up mid-request cancels the request's queries; that is
// not a server error and must not be logged as one (operators alert on
// them), while a real failure still is.
func TestAbandonedRequestIsNotAnInternalError(t *testing.T) {
	logs := &lockedBuffer{}
	var deps *Deps
	env := newTestEnv(t, func(d *Deps) {
		d.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		deps = d
	})
	b := env.browser()
	b.register("gone@example.com", "correct horse battery")
	srv, err := New(*deps)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()

	request := func(ctx context.Context) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, env.server.URL+"/applications", nil)
		for _, c := range b.c.Jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	// Signed in, the page loads.
	if rec := request(context.Background()); rec.Code != http.StatusOK {
		t.Fatalf("GET /applications = %d, want 200", rec.Code)
	}

	// The same request from a visitor who already hung up.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := request(ctx)
	if strings.Contains(logs.String(), "internal error") {
		t.Fatalf("an abandoned request was logged as an internal error:\n%s", logs)
	}
	if rec.Code == http.StatusInternalServerError {
		t.Fatalf("an abandoned request was answered 500")
	}

	// A real failure is still an internal error.
	env.store.Close()
	if rec := request(context.Background()); rec.Code != http.StatusInternalServerError {
		t.Fatalf("GET /applications with the database closed = %d, want 500", rec.Code)
	}
	if !strings.Contains(logs.String(), "internal error") {
		t.Fatalf("a failure with the database closed was not logged as an internal error:\n%s", logs)
	}
}
