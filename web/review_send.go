package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// sendReviewItem sends a review item with the letter as the person left it:
// the row goes back to queued with the letter, and the worker applies it.
func (h *handler) sendReviewItem(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	a, ok := h.userApplication(w, r, user.ID)
	if !ok {
		return
	}
	if a.Status != store.StatusReview && a.Status != store.StatusFailed {
		// Already on its way, or not something hh can take (external).
		h.redirect(w, r, "/review", "")
		return
	}
	// Browsers send a textarea's line breaks as CRLF.
	letter := strings.ReplaceAll(r.PostForm.Get("message"), "\r\n", "\n")
	if !rules.ValidText(letter, true) {
		h.renderReviewError(w, r, a, strings.ToValidUTF8(letter, "\uFFFD"), "review.letter_chars")
		return
	}
	if letter != "" || a.ResponseLetterRequired {
		checked, err := rules.CheckLetter(letter)
		if err != nil {
			key := "review.letter_empty"
			if errors.Is(err, rules.ErrLetterTooLong) {
				key = "review.letter_too_long"
			}
			h.renderReviewError(w, r, a, letter, key)
			return
		}
		letter = checked
	}
	if err := h.store.Requeue(r.Context(), user.ID, a.ID, letter); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			h.redirect(w, r, "/review", "")
			return
		}
		h.serverError(w, r, err)
		return
	}
	if err := h.jobs.SendApplication(r.Context(), user.ID, a.ID); err != nil {
		// The row is queued in the database; the scheduler's tick will pick it up.
		h.log.ErrorContext(r.Context(), "enqueue application", "user_id", user.ID, "application_id", a.ID, "error", err)
	}
	h.rememberSent(w, r, a.ID)
	h.redirect(w, r, "/review", h.sentFlash(r, user.ID))
}

// renderReviewError shows the queue again with the letter kept and the
// problem beside it.
func (h *handler) renderReviewError(w http.ResponseWriter, r *http.Request, a *store.Application, letter, key string) {
	d, err := h.loadReview(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for i := range d.Items {
		if d.Items[i].ID == a.ID {
			d.Items[i].Letter = letter
		}
	}
	d.ErrorID, d.Error = a.ID, key
	h.render(w, r, http.StatusUnprocessableEntity, "review", h.newPage(w, r, "review", d))
}

// userApplication loads ledger row {id} of userID: 404 for an unknown id or
// another user's row.
func (h *handler) userApplication(w http.ResponseWriter, r *http.Request, userID int64) (*store.Application, bool) {
	return loadOwned(h, w, r, userID, h.store.Application)
}
