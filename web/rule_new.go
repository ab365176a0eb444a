package web

import (
	"net/http"

	"github.com/otklik/otklik/rules"
)

func (h *handler) showNewRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	resumes, err := h.resumes(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &ruleFormData{Rule: rules.Defaults()}
	d.Rule.Enabled = true
	// With one published resume there is nothing to choose.
	var published []string
	for _, res := range resumes {
		if res.Published {
			published = append(published, res.ID)
		}
	}
	if len(published) == 1 {
		d.Rule.ResumeID = published[0]
	}
	h.renderRuleForm(w, r, http.StatusOK, d, resumes)
}
