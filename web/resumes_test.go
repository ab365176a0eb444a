package web

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otklik/otklik/hh"
)

// The rule form trusts the cached resumes for an hour, then asks hh again,
// so a resume published or renamed on hh shows up without reconnecting.
func TestRuleFormRefreshesStaleResumes(t *testing.T) {
	t.Parallel()
	var ahead atomic.Int64 // how far the web's clock runs ahead of the store's
	env := newTestEnv(t, func(d *Deps) {
		d.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	})
	ctx := context.Background()
	b, userID, resumeID := signedInWithHH(t, env, "a@example.com", 0)

	cached, err := env.store.Resumes(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	var real string
	for _, r := range cached {
		if r.ID == resumeID {
			real = r.Title
		}
	}
	// Pretend the cache holds an old title for the published resume.
	const old = "Название, которое было на hh вчера"
	stale := []hh.Resume{{ID: resumeID, Title: old, Status: hh.IDName{ID: hh.ResumeStatusPublished}}}
	if err := env.store.ReplaceResumes(ctx, userID, stale); err != nil {
		t.Fatal(err)
	}

	page := b.get("/rules/new")
	if page.status != http.StatusOK || !strings.Contains(page.body, old) {
		t.Fatalf("a fresh cache was not used as it is (status %d)", page.status)
	}

	ahead.Store(int64(resumeCacheTTL + time.Minute))
	page = b.get("/rules/new")
	if page.status != http.StatusOK || strings.Contains(page.body, old) || !strings.Contains(page.body, real) {
		t.Fatalf("a stale cache was not refreshed from hh: status %d, old title shown %v, hh's title %q shown %v",
			page.status, strings.Contains(page.body, old), real, strings.Contains(page.body, real))
	}
	after, err := env.store.Resumes(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(cached) {
		t.Fatalf("cache after refresh holds %d resumes, hh has %d", len(after), len(cached))
	}

	// When hh cannot be asked, the cached list still serves the page.
	env.sandbox.RevokeTokens(env.applicant(0).ID)
	if err := env.store.ReplaceResumes(ctx, userID, stale); err != nil {
		t.Fatal(err)
	}
	page = b.get("/rules/new")
	if page.status != http.StatusOK || !strings.Contains(page.body, old) {
		t.Fatalf("with hh refusing the token the rule form = %d, cached title shown %v", page.status, strings.Contains(page.body, old))
	}
}
