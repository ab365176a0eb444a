package web

import (
	"context"
	"time"

	"github.com/otklik/otklik/store"
)

// resumeCacheTTL is how long the cached list of a person's resumes is
// trusted before a rule page asks hh again: a resume published (or hidden)
// on hh shows up in the rule form within the hour, without reconnecting,
// and at most one /resumes/mine per person per hour is spent on it.
const resumeCacheTTL = time.Hour

// resumes returns userID's resumes for the rule pages, from the cache, after
// refreshing it from hh when it is older than resumeCacheTTL, or empty (a
// person with no resume cached yet is likely publishing one now). When
// hh cannot be asked (not connected, reconnect needed, hh down), the cached
// list is used as it is: the rule pages never fail on hh.
func (h *handler) resumes(ctx context.Context, userID int64) ([]store.Resume, error) {
	cached, err := h.store.Resumes(ctx, userID)
	if err != nil || !h.resumesStale(cached) || !h.mayRefreshResumes(ctx, userID) {
		return cached, err
	}
	client, err := h.hhAccess.Client(ctx, userID)
	if err != nil {
		h.log.DebugContext(ctx, "resumes not refreshed: no usable hh account", "user_id", userID, "error", err)
		return cached, nil
	}
	fresh, err := client.MyResumes(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "resumes not refreshed: hh failed; showing the cached list", "user_id", userID, "error", err)
		return cached, nil
	}
	if err := h.store.ReplaceResumes(ctx, userID, fresh); err != nil {
		return cached, err
	}
	return h.store.Resumes(ctx, userID)
}

// resumesStale says whether a cached list should be fetched again.
func (h *handler) resumesStale(cached []store.Resume) bool {
	if len(cached) == 0 {
		return true
	}
	for _, r := range cached {
		if h.now().Sub(r.SyncedAt) > resumeCacheTTL {
			return true
		}
	}
	return false
}
