package web

import (
	"net/http"
)

// refreshOutcomes is «Обновить»: a sync of the person's negotiations with
// hh now. A person may press it once per FairShareLimits.OutcomesEvery (10
// minutes); the scheduled syncs go on regardless.
func (h *handler) refreshOutcomes(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	conn, err := h.hhConnection(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !conn.Connected || conn.Warning == "reconnect" || conn.Warning == "captcha" {
		h.redirect(w, r, "/", "outcomes_no_hh")
		return
	}
	every := h.fair.limits.OutcomesEvery
	if every <= 0 {
		every = DefaultFairShareLimits.OutcomesEvery
	}
	wait, err := h.fair.take(ctx, user.ID, "outcomes", every)
	if err != nil {
		// Redis is what queues the sync too: say it failed.
		h.serverError(w, r, err)
		return
	}
	if wait > 0 {
		h.redirect(w, r, "/", "outcomes_wait")
		return
	}
	if err := h.jobs.SyncOutcomes(ctx, user.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.redirect(w, r, "/", "outcomes_refreshing")
}
