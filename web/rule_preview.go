package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// previewItem is one vacancy of a dry run and what the rule would do.
type previewItem struct {
	Vacancy  hh.Vacancy
	Salary   string
	Decision rules.Decision
	Reason   string // the decision's reason in words
	Letter   string // the draft the template gives, for review and letters
}

type previewData struct {
	Rule    *store.Rule
	Items   []previewItem
	Found   int
	Apply   int
	Review  int
	Skip    int
	Problem string // translation key when hh could not be asked
	Wait    int    // seconds to wait, with Problem preview.wait (fairshare.go)
}

// previewRule is a dry run: the first page of the rule's search, with
// rules.Decide's verdict for each vacancy given the ledger. It applies
// nothing and writes nothing.
func (h *handler) previewRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	lang := visitorOf(r).lang
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	d := &previewData{Rule: rule}
	show := func() { h.render(w, r, http.StatusOK, "rule_preview", h.newPage(w, r, "rules", d)) }

	client, err := h.hhAccess.Client(ctx, user.ID)
	if err != nil {
		h.log.InfoContext(ctx, "preview without hh", "user_id", user.ID, "rule_id", rule.ID, "error", err)
		d.Problem = "preview.no_hh"
		show()
		return
	}
	page, err := h.previewSearch(ctx, user.ID, rule, client) // cached, within the person's share of hh
	if h.previewRefused(w, r, d, err) {
		return
	}
	if err != nil {
		h.log.WarnContext(ctx, "preview search", "user_id", user.ID, "rule_id", rule.ID, "error", err)
		var pe *hh.ParamError
		switch {
		case hh.IsTokenUnusable(err):
			d.Problem = "preview.reconnect"
		case hh.IsCaptchaRequired(err):
			d.Problem = "preview.captcha"
		case errors.As(err, &pe), hh.IsNotFound(err):
			d.Problem = "preview.bad_search"
		default:
			d.Problem = "preview.hh_failed"
		}
		show()
		return
	}
	ids := make([]string, len(page.Items))
	for i, v := range page.Items {
		ids[i] = v.ID
	}
	known, err := h.store.KnownVacancies(ctx, user.ID, rule.ResumeID, ids)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	acct, err := h.store.HHAccount(ctx, user.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	var tmpl *rules.Template
	if rule.HasTemplate() {
		tmpl, _ = rules.ParseTemplate(rule.LetterTemplate)
	}
	resumeTitle := rule.ResumeID
	if resumes, err := h.store.Resumes(ctx, user.ID); err == nil {
		for _, res := range resumes {
			if res.ID == rule.ResumeID {
				resumeTitle = res.Title
			}
		}
	}
	d.Found = page.Found
	for i := range page.Items {
		v := &page.Items[i]
		dec := rules.Decide(v, &rule.Rule, rules.DecideInput{AlreadyDecided: known[v.ID]})
		it := previewItem{Vacancy: *v, Decision: dec, Reason: dec.Text(lang),
			Salary: rules.FormatSalary(rules.VacancySalary(v), lang)}
		switch dec.Action {
		case rules.ActionApply:
			d.Apply++
		case rules.ActionReview:
			d.Review++
		default:
			d.Skip++
		}
		if tmpl != nil && dec.Action != rules.ActionSkip && acct != nil {
			it.Letter, _ = tmpl.Render(rules.LetterDataFor(v, acct.FirstName, acct.LastName, resumeTitle))
		}
		d.Items = append(d.Items, it)
	}
	show()
}
