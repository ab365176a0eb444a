package web

import (
	"io/fs"
	"net/http"
)

// routes is the one route table (docs/ARCHITECTURE.md, "Contracts").
func (h *handler) routes() *http.ServeMux {
	mux := http.NewServeMux()

	static, _ := fs.Sub(embedded, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	if h.metrics != nil {
		mux.Handle("GET /metrics", h.metrics)
	}

	// Signed out.
	mux.HandleFunc("GET /register", h.showRegister)
	mux.HandleFunc("POST /register", h.register)
	mux.HandleFunc("GET /login", h.showLogin)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)

	// Signed in.
	mux.HandleFunc("GET /{$}", h.signedIn(h.showDashboard))

	mux.HandleFunc("GET /hh/connect", h.signedIn(h.connectHH))
	mux.HandleFunc("GET /hh/callback", h.signedIn(h.hhCallback))
	mux.HandleFunc("GET /hh/disconnect", h.signedIn(h.confirmDisconnectHH))
	mux.HandleFunc("POST /hh/disconnect", h.signedIn(h.disconnectHH))
	mux.HandleFunc("POST /hh/check", h.signedIn(h.checkHH))

	mux.HandleFunc("GET /rules", h.signedIn(h.showRules))
	mux.HandleFunc("GET /rules/new", h.signedIn(h.showNewRule))
	mux.HandleFunc("POST /rules", h.signedIn(h.createRule))
	mux.HandleFunc("GET /rules/{id}", h.signedIn(h.showRule))
	mux.HandleFunc("POST /rules/{id}", h.signedIn(h.updateRule))
	mux.HandleFunc("POST /rules/{id}/run", h.signedIn(h.runRule))
	mux.HandleFunc("GET /rules/{id}/delete", h.signedIn(h.confirmDeleteRule))
	mux.HandleFunc("POST /rules/{id}/delete", h.signedIn(h.deleteRule))
	mux.HandleFunc("GET /rules/{id}/preview", h.signedIn(h.previewRule))
	mux.HandleFunc("POST /rules/{id}/exclude-employer", h.signedIn(h.excludeRuleEmployer))

	mux.HandleFunc("GET /review", h.signedIn(h.showReview))
	mux.HandleFunc("POST /review/{id}/send", h.signedIn(h.sendReviewItem))
	mux.HandleFunc("POST /review/{id}/dismiss", h.signedIn(h.dismissReviewItem))
	mux.HandleFunc("POST /review/{id}/rewrite", h.signedIn(h.rewriteReviewItem))
	mux.HandleFunc("POST /review/bulk", h.signedIn(h.bulkReview))

	mux.HandleFunc("GET /applications", h.signedIn(h.showApplications))
	mux.HandleFunc("POST /applications/{id}/retry", h.signedIn(h.retryApplication))
	mux.HandleFunc("POST /applications/{id}/exclude-employer", h.signedIn(h.excludeEmployer))
	mux.HandleFunc("GET /resumes", h.signedIn(h.showResumes))
	mux.HandleFunc("POST /resumes/{id}", h.signedIn(h.updateResume))
	mux.HandleFunc("GET /summary", h.signedIn(h.showSummary))
	mux.HandleFunc("POST /outcomes/refresh", h.signedIn(h.refreshOutcomes))
	mux.HandleFunc("GET /settings", h.signedIn(h.showSettings))
	mux.HandleFunc("POST /settings", h.signedIn(h.saveSettings))

	// Accounts (issue 13).
	mux.HandleFunc("POST /settings/password", h.signedIn(h.changePassword))
	mux.HandleFunc("POST /settings/sessions/end", h.signedIn(h.endOtherSessions))
	mux.HandleFunc("POST /settings/invites", h.signedIn(h.createInvite))
	if h.telegram != nil {
		mux.HandleFunc("POST /settings/telegram", h.signedIn(h.saveTelegram))
	}
	mux.HandleFunc("POST /settings/invites/{id}/delete", h.signedIn(h.deleteInvite))

	if h.queues != nil {
		mux.Handle(QueueDashboardPath, h.adminOnly(h.queues))
		mux.Handle(QueueDashboardPath+"/", h.adminOnly(h.queues))
	}

	if h.sbAdmin != nil {
		mux.Handle(SandboxAdminPath, h.adminAPIOnly(h.sbAdmin))
	}

	mux.HandleFunc("/", h.notFound)
	return mux
}

// cacheStatic lets browsers keep the stylesheet; its URL carries a version.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}
