package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

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
	flash, ok := h.excludeEmployerIn(w, r, user.ID, a.RuleID, a.EmployerID, back)
	if !ok {
		return
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

// excludeRuleEmployer is «Не показывать этого работодателя» where there is
// no ledger row yet (the rule's preview): employer_id and to as above.
func (h *handler) excludeRuleEmployer(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	back := safeNext(r.PostForm.Get("next"))
	employerID := strings.TrimSpace(r.PostForm.Get("employer_id"))
	if employerID == "" {
		h.redirect(w, r, back, "")
		return
	}
	flash, ok := h.excludeEmployerIn(w, r, user.ID, rule.ID, employerID, back)
	if !ok {
		return
	}
	h.log.InfoContext(r.Context(), "employer excluded", "user_id", user.ID, "employer_id", employerID, "rule_id", rule.ID, "on_hh", flash == "employer_hidden")
	h.redirect(w, r, back, flash)
}

// excludeEmployerIn adds employerID to rule ruleID's excluded employers, or
// hides it on hh with to=hh, and returns the flash to show; ok is false when
// an answer was already written.
func (h *handler) excludeEmployerIn(w http.ResponseWriter, r *http.Request, userID, ruleID int64, employerID, back string) (flash string, ok bool) {
	ctx := r.Context()
	if !rules.ValidEmployerID(employerID) {
		// Only a form made by hand sends this: hh's employer ids are numbers.
		h.errorPage(w, r, http.StatusUnprocessableEntity, "error.employer_id")
		return "", false
	}
	if r.PostForm.Get("to") == "hh" {
		client, err := h.hhAccess.Client(ctx, userID)
		if err == nil {
			err = client.BlacklistEmployer(ctx, employerID)
		}
		if err != nil {
			h.log.WarnContext(ctx, "hide employer on hh", "user_id", userID, "employer_id", employerID, "error", err)
			h.redirect(w, r, back, "employer_hide_failed")
			return "", false
		}
		return "employer_hidden", true
	}
	rule, err := h.store.Rule(ctx, userID, ruleID)
	if errors.Is(err, store.ErrNotFound) {
		h.redirect(w, r, back, "employer_no_rule")
		return "", false
	}
	if err != nil {
		h.serverError(w, r, err)
		return "", false
	}
	if !slices.Contains(rule.ExcludedEmployerIDs, employerID) {
		updated := rule.Rule
		updated.ID, updated.UserID = rule.ID, userID
		updated.ExcludedEmployerIDs = append(slices.Clone(rule.ExcludedEmployerIDs), employerID)
		// The rule's own bounds hold here as on its form (the number of
		// excluded employers, the rule's size).
		if errs := updated.Validate(rules.Catalog{}); len(errs) > 0 {
			h.log.InfoContext(ctx, "employer not excluded: the rule is full", "user_id", userID, "rule_id", ruleID, "error", errs.Error())
			h.errorPage(w, r, http.StatusUnprocessableEntity, "error.employer_exclude_full")
			return "", false
		}
		if err := h.store.UpdateRule(ctx, &updated); err != nil {
			h.serverError(w, r, err)
			return "", false
		}
	}
	return "employer_excluded", true
}
