package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/plan"
	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// previewItem is one vacancy of a dry run and what a run would do with it.
type previewItem struct {
	Vacancy hh.Vacancy
	Salary  string
	// Action is what a run would do: apply, review, skip, or later (past
	// the rule's daily cap: a later run decides it).
	Action string
	Reason string // the reason in words
	Letter string // the letter the template gives, sent or drafted
}

type previewData struct {
	Rule   *store.Rule
	Items  []previewItem
	Found  int
	Apply  int
	Review int
	Skip   int
	Later  int
	// Held is the translation key saying why a run started now would not
	// start (the hh account is paused), "" when it would; HeldUntil is when
	// a limit pause ends.
	Held      string
	HeldUntil time.Time
	Problem   string // translation key when hh could not be asked
	Wait      int    // seconds to wait, with Problem preview.wait (fairshare.go)
}

// previewRule is a dry run: the first page of the rule's search, planned
// exactly as a run started now would plan it (plan.Planner: the ledger,
// letters, the rule's daily cap, employers' tests). It sends nothing and
// records nothing but what it learnt of vacancies' tests.
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

	client, acct, err := h.hhAccess.Account(ctx, user.ID)
	if err != nil {
		h.log.InfoContext(ctx, "preview without hh", "user_id", user.ID, "rule_id", rule.ID, "error", err)
		d.Problem = "preview.no_hh"
		show()
		return
	}
	if gone, err := h.store.ResumeGone(ctx, user.ID, rule.ResumeID); err != nil {
		h.serverError(w, r, err)
		return
	} else if gone {
		// hh would refuse the search: say why, not that hh failed.
		d.Problem = "preview.resume_gone"
		show()
		return
	}
	now := h.now()
	d.Held, d.HeldUntil = heldBy(acct, now)
	page, err := h.previewSearch(ctx, user.ID, rule, client) // cached, within the person's share of hh
	if h.previewRefused(w, r, d, err) {
		return
	}
	if err != nil {
		d.Problem = previewProblem(err)
		h.log.WarnContext(ctx, "preview search", "user_id", user.ID, "rule_id", rule.ID, "error", err)
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
	planner, err := plan.New(ctx, h.store, h.tests, rule, acct, now)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if h.model != nil {
		planner.UseAI(h.model, false) // verdicts, and no letter nobody sends
	}
	d.Found = page.Found
	for i := range page.Items {
		v := &page.Items[i]
		f, err := planner.Plan(ctx, v, known[v.ID], client)
		if err != nil {
			d.Problem = previewProblem(err)
			h.log.WarnContext(ctx, "preview plan", "user_id", user.ID, "rule_id", rule.ID, "vacancy_id", v.ID, "error", err)
			show()
			return
		}
		it := previewItem{Vacancy: *v, Letter: f.Letter, Salary: rules.FormatSalary(rules.VacancySalary(v), lang),
			Reason: rules.Decision{Reason: f.Reason, Detail: f.Decision.Detail}.Text(lang)}
		switch {
		case f.Later:
			it.Action, it.Reason = "later", translate(lang, "preview.later_reason")
			d.Later++
		case f.Pending != nil: // the model did not answer: a run would hold it until it does
			it.Action = "later"
			d.Later++
		case f.Status == store.StatusQueued:
			it.Action = "apply"
			d.Apply++
		case f.Status == store.StatusReview:
			it.Action = "review"
			d.Review++
		default:
			it.Action = "skip"
			d.Skip++
		}
		d.Items = append(d.Items, it)
	}
	show()
}

// previewProblem is the translation key for hh's refusal of a preview.
func previewProblem(err error) string {
	var pe *hh.ParamError
	switch {
	case hh.IsTokenUnusable(err):
		return "preview.reconnect"
	case hh.IsCaptchaRequired(err):
		return "preview.captcha"
	case errors.As(err, &pe), hh.IsNotFound(err):
		return "preview.bad_search"
	default:
		return "preview.hh_failed"
	}
}

// heldBy says why a run started at now would not start for the account, as
// a translation key ("" when it would), and until when a limit holds it.
func heldBy(acct *store.HHAccount, now time.Time) (string, time.Time) {
	if acct.Usable(now) {
		return "", time.Time{}
	}
	switch acct.State {
	case store.AccountCaptcha:
		return "preview.held_captcha", time.Time{}
	case store.AccountLimited:
		return "preview.held_limit", acct.LimitedUntil
	default:
		return "preview.held_reconnect", time.Time{}
	}
}
