package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// rewriteReviewItem asks the model for one more draft of a review item's
// letter («Переписать»): from the resume, the vacancy's full text and the
// rule's template. The old draft stays when the model cannot write one.
func (h *handler) rewriteReviewItem(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	a, ok := h.userApplication(w, r, user.ID)
	if !ok {
		return
	}
	if h.model == nil || a.Status != store.StatusReview || a.RuleID == 0 {
		h.redirect(w, r, "/review", "")
		return
	}
	ctx := r.Context()
	rule, err := h.store.Rule(ctx, user.ID, a.RuleID)
	if errors.Is(err, store.ErrNotFound) {
		h.redirect(w, r, "/review", "")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	v := ai.Vacancy{Name: a.VacancyName, Employer: a.EmployerName, Salary: a.SalaryText}
	// One GET /vacancies/{id}, within the person's share of hh from the
	// web; without it the model writes from the name and the employer.
	wait, ferr := h.fair.take(ctx, user.ID, "rewrite", h.fair.limits.PreviewEvery)
	if client, err := h.hhAccess.Client(ctx, user.ID); err == nil && ferr == nil && wait == 0 {
		if full, err := client.Vacancy(ctx, a.VacancyID); err == nil {
			v.Text = plainText(full.Description)
		}
	}
	resume := ai.Resume{}
	if list, err := h.store.Resumes(ctx, user.ID); err == nil {
		for _, res := range list {
			if res.ID == a.ResumeID {
				resume.Title = res.Title
			}
		}
	}
	guide := a.Letter
	if rule.HasTemplate() {
		if t, err := rules.ParseTemplate(rule.LetterTemplate); err == nil {
			if l, err := t.Render(rules.LetterData{Vacancy: a.VacancyName, Company: a.EmployerName, Resume: resume.Title}); err == nil {
				guide = l
			}
		}
	}
	letter, err := h.model.Letter(ctx, user.ID, resume, v, guide)
	if err != nil {
		h.log.WarnContext(ctx, "ai rewrite", "user_id", user.ID, "application_id", a.ID, "error", err)
		flash := "ai_rewrite_failed"
		if errors.Is(err, ai.ErrCapSpent) {
			flash = "ai_cap_spent"
		}
		h.redirect(w, r, "/review", flash)
		return
	}
	if err := h.store.RewriteReviewLetter(ctx, user.ID, a.ID, letter, store.LetterByAI); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			h.redirect(w, r, "/review", "")
			return
		}
		h.serverError(w, r, err)
		return
	}
	h.redirect(w, r, "/review", "ai_rewritten")
}
