package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// createRule saves a new rule, or shows the form again with each error
// beside its field and the input kept.
func (h *handler) createRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	p := parseRuleForm(r.PostForm)
	cat, resumes, err := h.catalog(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if errs := p.validate(cat, visitorOf(r).lang); len(errs) > 0 {
		d := &ruleFormData{Rule: p.rule, Raw: p.raw, Errors: errs, ExcludeWords: r.PostForm.Get(rules.FieldExcludeWords)}
		h.renderRuleForm(w, r, http.StatusUnprocessableEntity, d, resumes)
		return
	}
	rule := p.rule
	rule.UserID = user.ID
	if err := h.store.CreateRule(r.Context(), &rule); errors.Is(err, store.ErrLimit) {
		// Shown beside the name, the first field: the form has no other place.
		d := &ruleFormData{Rule: p.rule, Raw: p.raw, ExcludeWords: r.PostForm.Get(rules.FieldExcludeWords),
			Errors: map[string]string{rules.FieldName: translate(visitorOf(r).lang, "rule.too_many", rules.MaxRulesPerUser)}}
		h.renderRuleForm(w, r, http.StatusUnprocessableEntity, d, resumes)
		return
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "rule created", "user_id", user.ID, "rule_id", rule.ID)
	h.redirect(w, r, "/rules/"+strconv.FormatInt(rule.ID, 10), "rule_created")
}
