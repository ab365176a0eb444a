package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// excludeEmployer is «Не показывать этого работодателя» next to a vacancy
// in review and history: to=rule (the default) adds the employer to the
// excluded employers of the rule that found the vacancy; to=hh hides the
// employer on hh.ru (its employer blacklist), which every rule then
// respects. A review item of that employer is taken out of the queue.
func (h *handler) excludeEmployer(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	back := safeNext(r.PostForm.Get("next"))
	a, ok := h.userApplication(w, r, user.ID)
	if !ok {
		return
	}
	if a.EmployerID == "" {
		h.redirect(w, r, back, "")
		return
	}
	flash := "employer_excluded"
	if r.PostForm.Get("to") == "hh" {
		client, err := h.hhAccess.Client(ctx, user.ID)
		if err == nil {
			err = client.BlacklistEmployer(ctx, a.EmployerID)
		}
		if err != nil {
			h.log.WarnContext(ctx, "hide employer on hh", "user_id", user.ID, "employer_id", a.EmployerID, "error", err)
			h.redirect(w, r, back, "employer_hide_failed")
			return
		}
		flash = "employer_hidden"
	} else {
		rule, err := h.store.Rule(ctx, user.ID, a.RuleID)
		if errors.Is(err, store.ErrNotFound) {
			h.redirect(w, r, back, "employer_no_rule")
			return
		}
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if !slices.Contains(rule.ExcludedEmployerIDs, a.EmployerID) {
			updated := rule.Rule
			updated.ID, updated.UserID = rule.ID, user.ID
			updated.ExcludedEmployerIDs = append(slices.Clone(rule.ExcludedEmployerIDs), a.EmployerID)
			if err := h.store.UpdateRule(ctx, &updated); err != nil {
				h.serverError(w, r, err)
				return
			}
		}
	}
	if a.Status == store.StatusReview || a.Status == store.StatusExternal {
		if err := h.store.MarkSkipped(ctx, user.ID, a.ID, string(rules.ReasonEmployerExcluded)); err != nil && !errors.Is(err, store.ErrIllegalTransition) {
			h.serverError(w, r, err)
			return
		}
	}
	h.log.InfoContext(ctx, "employer excluded", "user_id", user.ID, "employer_id", a.EmployerID, "rule_id", a.RuleID, "on_hh", flash == "employer_hidden")
	h.redirect(w, r, back, flash)
}
