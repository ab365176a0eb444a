package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// maxBulk bounds how many items one bulk action takes.
const maxBulk = 200

// bulkReview is «Отправить выбранные» / «Убрать выбранные» on the review
// queue: every ticked item (id, repeated) of this user is sent with its
// draft letter, or dismissed. An item that cannot be sent from here as it
// is (a letter the employer asks for is empty, a test, the employer's own
// site) stays in review, and the person is told some stayed.
func (h *handler) bulkReview(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	back := safeNext(r.PostForm.Get("next"))
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && len(ids) < maxBulk {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		h.redirect(w, r, back, "bulk_none")
		return
	}
	send := r.PostForm.Get("action") == "send"
	var done, kept int
	var sent []int64
	for _, id := range ids {
		a, err := h.store.Application(ctx, user.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if !send {
			reason := rules.ReasonDismissed
			if a.Status == store.StatusExternal || a.Reason == string(rules.ReasonDirect) {
				reason = rules.ReasonDoneOnSite
			}
			err = h.store.MarkSkipped(ctx, user.ID, a.ID, string(reason))
		} else if !bulkSendable(a) {
			kept++
			continue
		} else {
			err = h.store.Requeue(ctx, user.ID, a.ID, a.Letter)
			if err == nil {
				if jerr := h.jobs.SendApplication(ctx, user.ID, a.ID); jerr != nil {
					// The row is queued in the database; the scheduler's tick will pick it up.
					h.log.ErrorContext(ctx, "enqueue application", "user_id", user.ID, "application_id", a.ID, "error", jerr)
				}
				sent = append(sent, a.ID)
			}
		}
		switch {
		case errors.Is(err, store.ErrIllegalTransition):
			continue // moved on meanwhile
		case err != nil:
			h.serverError(w, r, err)
			return
		}
		done++
	}
	if len(sent) > 0 {
		h.rememberSent(w, r, sent...)
	}
	h.log.InfoContext(ctx, "review bulk action", "user_id", user.ID, "send", send, "done", done, "kept", kept)
	switch {
	case !send:
		h.redirect(w, r, back, "bulk_dismissed")
	case kept > 0:
		h.redirect(w, r, back, "bulk_partly")
	default:
		h.redirect(w, r, back, h.bulkSentFlash(r, user.ID))
	}
}

// bulkSendable: a review item that may be sent as it is, with its draft.
func bulkSendable(a *store.Application) bool {
	switch {
	case a.Status != store.StatusReview,
		a.Reason == string(rules.ReasonDirect),
		a.Reason == string(rules.ReasonTestRequired),
		a.Reason == string(rules.ReasonLetterTooLong):
		return false
	case a.ResponseLetterRequired:
		_, err := rules.CheckLetter(a.Letter)
		return err == nil
	}
	return true
}

func (h *handler) bulkSentFlash(r *http.Request, userID int64) string {
	if h.sentFlash(r, userID) == "review_waiting" {
		return "review_waiting"
	}
	return "bulk_sent"
}
