package web

import (
	"cmp"
	"context"
	"slices"

	"github.com/otklik/otklik/store"
)

// lastRunView is what a rule's last run found and did, for its page.
type lastRunView struct {
	Run   store.RuleRun
	Tally store.RunTally
	// Status counts the run's ledger rows by their status now.
	Status map[string]int
	// Skipped counts the run's skipped vacancies by reason, most first.
	Skipped []reasonCount
	// Requests is every hh request made for the run: its searches and
	// lookups, and the POSTs of the applications it queued so far.
	Requests int
}

type reasonCount struct {
	Code string
	N    int
}

// lastRun reads the rule's latest run and what became of what it found; nil
// when the rule never ran.
func (h *handler) lastRun(ctx context.Context, userID, ruleID int64) (*lastRunView, error) {
	runs, err := h.store.LastRuns(ctx, userID, ruleID, 1)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	v := &lastRunView{Run: runs[0], Requests: runs[0].HHRequests + runs[0].ApplyRequests}
	if v.Tally, err = h.store.RunTally(ctx, userID, v.Run.ID); err != nil {
		return nil, err
	}
	v.Status = make(map[string]int, len(v.Tally.Statuses))
	for st, n := range v.Tally.Statuses {
		v.Status[string(st)] = n
	}
	for code, n := range v.Tally.Reasons[store.StatusSkipped] {
		v.Skipped = append(v.Skipped, reasonCount{Code: code, N: n})
	}
	slices.SortFunc(v.Skipped, func(a, b reasonCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Code, b.Code))
	})
	return v, nil
}
