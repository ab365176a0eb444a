package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

// The sandbox admin API reads every letter sent through the sandbox and
// mints tokens: in an instance only its admins reach it.
func TestSandboxAdminIsForAdminsOnly(t *testing.T) {
	sb := hhsandbox.New(hhsandbox.Options{Seed: 1, Vacancies: 50, HideAdmin: true})
	env := newTestEnv(t, func(d *Deps) { d.SandboxAdmin = http.StripPrefix("/sandbox", sb.AdminHandler()) })
	const applications = SandboxAdminPath + "applications"
	sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}

	// The public sandbox handler no longer serves the admin API itself.
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_sandbox/applications", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("public sandbox handler, admin API: %d, want 404", rec.Code)
	}

	anon := env.browser()
	if r := anon.get(applications); r.status != http.StatusNotFound {
		t.Errorf("signed out GET: %d, want 404", r.status)
	}
	if r := anon.postRaw(SandboxAdminPath+"reset", nil, sameOrigin); r.status != http.StatusNotFound {
		t.Errorf("signed out POST reset: %d, want 404", r.status)
	}

	admin := env.browser()
	if u := admin.register("admin@example.com", "first user is admin"); !u.IsAdmin {
		t.Fatal("the first user must be an admin")
	}
	user := env.browser()
	user.register("user@example.com", "second user is not")
	if r := user.get(applications); r.status != http.StatusNotFound {
		t.Errorf("non-admin GET: %d, want 404", r.status)
	}
	before := sb.Now()
	if r := user.postRaw(SandboxAdminPath+"clock", nil, sameOrigin); r.status != http.StatusNotFound {
		t.Errorf("non-admin POST: %d, want 404", r.status)
	}

	r := admin.get(applications)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("admin GET: %d %q", r.status, r.body)
	}
	// The JSON API carries no form token; it is admin-only and same-origin.
	req, _ := http.NewRequest(http.MethodPost, admin.url(SandboxAdminPath+"clock"), strings.NewReader(`{"advance":"25h"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if r := admin.do(req); r.status != http.StatusOK || sb.Now().Sub(before) < 25*time.Hour {
		t.Errorf("admin POST clock: %d %q, sandbox now %s (was %s)", r.status, r.body, sb.Now(), before)
	}
	if r := admin.postRaw(SandboxAdminPath+"reset", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Errorf("cross-site admin POST: %d, want 403", r.status)
	}
}
