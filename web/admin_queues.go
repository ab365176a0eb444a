package web

import "net/http"

// QueueDashboardPath is where the asynq dashboard lives.
const QueueDashboardPath = "/admin/queues"

// dashboardCSP is the asynq dashboard's policy: its page is a bundled React
// app with inline bootstrap script and styles, so it gets its own, looser
// policy, on its own path, for admins only.
const dashboardCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; " +
	"font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// adminOnly serves next to signed-in admins; everyone else, signed in or
// not, gets a plain 404, so the dashboard's existence is not advertised.
func (h *handler) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch user := currentUser(r); {
		case user == nil || !user.IsAdmin:
			h.notFound(w, r)
		default:
			w.Header().Set("Content-Security-Policy", dashboardCSP)
			next.ServeHTTP(w, r)
		}
	})
}
