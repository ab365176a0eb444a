package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// dismissReviewItem takes an item out of the queue; with hide=on it also
// hides the vacancy on hh (PUT /vacancies/blacklisted/{id}).
func (h *handler) dismissReviewItem(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	a, ok := h.userApplication(w, r, user.ID)
	if !ok {
		return
	}
	// «Готово, убрать» on an employer's-site item records that the person
	// applied there; anything else is dismissed.
	reason, flash := rules.ReasonDismissed, "review_dismiss"
	if a.Status == store.StatusExternal || a.Reason == string(rules.ReasonDirect) {
		reason, flash = rules.ReasonDoneOnSite, "external_done"
	}
	if err := h.store.MarkSkipped(r.Context(), user.ID, a.ID, string(reason)); err != nil {
		if errors.Is(err, store.ErrIllegalTransition) {
			h.redirect(w, r, "/review", "")
			return
		}
		h.serverError(w, r, err)
		return
	}
	if r.PostForm.Get("hide") == "on" {
		flash = "review_hidden"
		if err := h.hideOnHH(r, user.ID, a.VacancyID); err != nil {
			h.log.WarnContext(r.Context(), "hide vacancy on hh", "user_id", user.ID, "vacancy_id", a.VacancyID, "error", err)
			flash = "hide_failed"
		}
	}
	h.redirect(w, r, "/review", flash)
}

func (h *handler) hideOnHH(r *http.Request, userID int64, vacancyID string) error {
	c, err := h.hhAccess.Client(r.Context(), userID)
	if err != nil {
		return err
	}
	return c.BlacklistVacancy(r.Context(), vacancyID)
}
