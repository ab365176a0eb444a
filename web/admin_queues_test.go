package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestQueueDashboardIsForAdminsOnly(t *testing.T) {
	dashboard := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "asynq dashboard at "+r.URL.Path)
	})
	env := newTestEnv(t, func(d *Deps) { d.QueueDashboard = dashboard })

	// Signed out, the dashboard answers as any unknown path does: its
	// existence is not given away by a redirect to the sign-in page.
	anon := env.browser()
	unknown := anon.get("/admin/nothing-here")
	for _, path := range []string{QueueDashboardPath, QueueDashboardPath + "/api/queues"} {
		if r := anon.get(path); r.status != http.StatusNotFound || r.body != unknown.body {
			t.Errorf("signed out %s: %d to %q, want the same 404 as an unknown path", path, r.status, r.location)
		}
	}
	if r := anon.postRaw(QueueDashboardPath+"/api/queues/default:pause", nil, map[string]string{"Sec-Fetch-Site": "same-origin"}); r.status != http.StatusNotFound {
		t.Errorf("signed out POST: %d, want 404", r.status)
	}

	admin := env.browser()
	if u := admin.register("admin@example.com", "first user is admin"); !u.IsAdmin {
		t.Fatal("the first user must be an admin")
	}
	r := admin.get(QueueDashboardPath + "/api/queues")
	if r.status != http.StatusOK || r.body != "asynq dashboard at /admin/queues/api/queues" {
		t.Errorf("admin: %d %q", r.status, r.body)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'unsafe-inline'") {
		t.Errorf("dashboard CSP = %q", csp)
	}
	// The dashboard's own API calls carry no form token; they are same-origin.
	post := admin.postRaw(QueueDashboardPath+"/api/queues/default:pause", nil, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if post.status != http.StatusOK {
		t.Errorf("admin dashboard POST: %d", post.status)
	}
	if cross := admin.postRaw(QueueDashboardPath+"/api/queues/default:pause", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); cross.status != http.StatusForbidden {
		t.Errorf("cross-site dashboard POST: %d, want 403", cross.status)
	}

	user := env.browser()
	user.register("user@example.com", "second user is not")
	if r := user.get(QueueDashboardPath); r.status != http.StatusNotFound {
		t.Errorf("non-admin: status %d, want 404", r.status)
	}
	if r := user.postRaw(QueueDashboardPath+"/api/queues/default:pause", nil, map[string]string{"Sec-Fetch-Site": "same-origin"}); r.status != http.StatusNotFound {
		t.Errorf("non-admin POST: status %d, want 404", r.status)
	}
}
