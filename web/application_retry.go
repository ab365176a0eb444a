package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/store"
)

// retryApplication is «Повторить» on a failed application: the row goes
// back to queued with the letter it had, and the worker sends it again.
// Only a refusal a retry can overcome offers the button; a row that is no
// longer failed is left as it is.
func (h *handler) retryApplication(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	back := safeNext(r.PostForm.Get("next"))
	a, ok := h.userApplication(w, r, user.ID)
	if !ok {
		return
	}
	if a.Status != store.StatusFailed || !explainFailure(a.Reason, a.Message, visitorOf(r).lang).Retry {
		h.redirect(w, r, back, "")
		return
	}
	if err := h.store.Requeue(r.Context(), user.ID, a.ID, a.Letter); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			h.redirect(w, r, back, "")
			return
		}
		h.serverError(w, r, err)
		return
	}
	if err := h.jobs.SendApplication(r.Context(), user.ID, a.ID); err != nil {
		// The row is queued in the database; the scheduler's tick will pick it up.
		h.log.ErrorContext(r.Context(), "enqueue retried application", "user_id", user.ID, "application_id", a.ID, "error", err)
	}
	h.log.InfoContext(r.Context(), "application retried", "user_id", user.ID, "application_id", a.ID)
	flash := "retry_queued"
	if h.sentFlash(r, user.ID) == "review_waiting" {
		flash = "review_waiting"
	}
	h.redirect(w, r, back, flash)
}
