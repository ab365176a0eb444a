package web

import (
	"net/http"
	"strconv"

	"github.com/otklik/otklik/rules"
)

// updateRule saves the edit form. A form with action=toggle (the switch on
// the rules list) changes only whether the rule is enabled.
func (h *handler) updateRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	stored, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	if r.PostForm.Get("action") == "toggle" {
		enabled := r.PostForm.Get(rules.FieldEnabled) == "on"
		if err := h.store.SetRuleEnabled(r.Context(), user.ID, stored.ID, enabled); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.redirect(w, r, "/rules", "rule_saved")
		return
	}
	p := parseRuleForm(r.PostForm)
	cat, resumes, err := h.catalog(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if len(resumes) == 0 && p.rule.ResumeID == stored.ResumeID {
		// hh is not connected, so the person's resumes are unknown: the
		// rule keeps the resume it was saved with and stays editable.
		cat.Resumes = nil
	}
	if errs := p.validate(cat, visitorOf(r).lang); len(errs) > 0 {
		d := &ruleFormData{ID: stored.ID, Rule: p.rule, Raw: p.raw, Errors: errs, Stored: stored,
			ExcludeWords: r.PostForm.Get(rules.FieldExcludeWords)}
		h.renderRuleForm(w, r, http.StatusUnprocessableEntity, d, resumes)
		return
	}
	rule := p.rule
	rule.ID, rule.UserID = stored.ID, user.ID
	if err := h.store.UpdateRule(r.Context(), &rule); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.redirect(w, r, "/rules/"+strconv.FormatInt(rule.ID, 10), "rule_saved")
}
