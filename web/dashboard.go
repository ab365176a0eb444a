package web

import (
	"net/http"
	"sort"

	"github.com/otklik/otklik/ai"
	"github.com/otklik/otklik/locale"
	"github.com/otklik/otklik/store"
)

type statusCount struct {
	Status string
	Count  int
}

type dashboardData struct {
	HH          hhConnection
	Today       []statusCount
	ReviewCount int
	Rules       []store.Rule // enabled rules, soonest first
	RuleCount   int
	Outcomes    *outcomesView // the funnel and the daily chart (outcomes.go)
	// AICapSpent: today's AI tokens are spent, so letters come from the
	// template and nothing is screened until midnight UTC.
	AICapSpent bool
}

// showDashboard: the hh connection and any pause, today's counts, the next runs.
func (h *handler) showDashboard(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	conn, err := h.hhConnection(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	counts, err := h.store.CountsByStatusSince(ctx, user.ID, startOfDay(h.now(), locale.Zone(user.TimeZone)))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	review, err := h.store.ReviewItems(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	list, err := h.store.Rules(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &dashboardData{HH: conn, ReviewCount: len(review), RuleCount: len(list)}
	if h.cfg.AI.Enabled() {
		used, err := h.store.AITokensUsed(ctx, user.ID, ai.Day(h.now(), locale.Zone(user.TimeZone)))
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		d.AICapSpent = ai.CapSpent(used, h.cfg.AI.DailyTokens)
	}
	for _, st := range store.Statuses {
		d.Today = append(d.Today, statusCount{Status: string(st), Count: counts[st]})
	}
	for _, rule := range list {
		if rule.Enabled {
			d.Rules = append(d.Rules, rule)
		}
	}
	if d.Outcomes, err = h.outcomes(ctx, user, conn.Connected); err != nil {
		h.serverError(w, r, err)
		return
	}
	sort.SliceStable(d.Rules, func(i, j int) bool { return d.Rules[i].NextRunAt.Before(d.Rules[j].NextRunAt) })
	h.render(w, r, http.StatusOK, "dashboard", h.newPage(w, r, "dashboard", d))
}
