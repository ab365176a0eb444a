package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/store"
)

// fairShare keeps one person from spending the instance's hh budget.
//
// Every hh request of the instance waits on one shared budget
// (HH_RATE_LIMIT, tasks.Budget), first come first served: a person who
// reloads rule previews in a dozen tabs would take most of it, and every
// other person's scheduled runs would wait behind them. So the requests a
// person makes from the web (previews, resume list refreshes) first pass a
// limit of their own, kept in Redis per user: a preview every PreviewEvery,
// a resume refresh every ResumesEvery. A preview's hh page is cached for
// PreviewTTL under the rule and its last change, so looking again at the
// same preview costs hh nothing and is never refused. The worker's own
// requests (runs, applications) do not pass here.
type fairShare struct {
	rdb     redis.UniversalClient
	limiter *redis_rate.Limiter
	limits  FairShareLimits
}

// FairShareLimits sets how much of hh one person may ask for from the web.
type FairShareLimits struct {
	PreviewEvery time.Duration // one preview fetched from hh per user per this
	PreviewTTL   time.Duration // a fetched preview page is reused this long
	ResumesEvery time.Duration // one resume list refresh per user per this
	// OutcomesEvery: one «Обновить» (a negotiations sync) per user per this.
	OutcomesEvery time.Duration
}

// DefaultFairShareLimits: a preview every 10 seconds, cached 5 minutes; a
// resume list refresh every 30 seconds.
var DefaultFairShareLimits = FairShareLimits{
	PreviewEvery: 10 * time.Second,
	PreviewTTL:   5 * time.Minute,
	ResumesEvery: 30 * time.Second,

	OutcomesEvery: 10 * time.Minute,
}

func newFairShare(rdb redis.UniversalClient, l FairShareLimits) *fairShare {
	return &fairShare{rdb: rdb, limiter: redis_rate.NewLimiter(rdb), limits: l}
}

// waitError refuses a request for now: the person has had their share.
type waitError struct{ wait time.Duration }

func (e *waitError) Error() string {
	return fmt.Sprintf("web: hh share used up; wait %s", e.wait.Round(time.Second))
}

// take takes userID's one request of kind per every, or says how long to
// wait for it.
func (f *fairShare) take(ctx context.Context, userID int64, kind string, every time.Duration) (time.Duration, error) {
	key := "otklik:hh:share:" + kind + ":" + strconv.FormatInt(userID, 10)
	res, err := f.limiter.Allow(ctx, key, redis_rate.Limit{Rate: 1, Burst: 1, Period: every})
	if err != nil {
		return 0, fmt.Errorf("web: hh share of user %d: %w", userID, err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// mayRefreshResumes says whether userID's resume list may be fetched from
// hh now; when not, the cached list serves. A Redis failure lets it through
// (the shared budget still paces it).
func (h *handler) mayRefreshResumes(ctx context.Context, userID int64) bool {
	wait, err := h.fair.take(ctx, userID, "resumes", h.fair.limits.ResumesEvery)
	if err != nil {
		h.log.WarnContext(ctx, "hh share not checked", "user_id", userID, "error", err)
		return true
	}
	return wait == 0
}

// previewSearch is the first page of rule's search for a preview: from the
// cache when this version of the rule was previewed within PreviewTTL,
// else from hh within the person's share, else a *waitError.
func (h *handler) previewSearch(ctx context.Context, userID int64, rule *store.Rule, client *hh.Client) (*hh.VacancyPage, error) {
	key := fmt.Sprintf("otklik:preview:%d:%d:%d", userID, rule.ID, rule.UpdatedAt.UnixNano())
	if b, err := h.fair.rdb.Get(ctx, key).Bytes(); err == nil {
		var page hh.VacancyPage
		if json.Unmarshal(b, &page) == nil {
			return &page, nil
		}
	} else if !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("web: preview cache: %w", err)
	}
	wait, err := h.fair.take(ctx, userID, "preview", h.fair.limits.PreviewEvery)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, &waitError{wait: wait}
	}
	page, err := client.SimilarVacancies(ctx, rule.ResumeID, rule.SearchParams(0))
	if err != nil {
		return nil, err
	}
	if b, err := json.Marshal(page); err == nil {
		if err := h.fair.rdb.Set(ctx, key, b, h.fair.limits.PreviewTTL).Err(); err != nil {
			h.log.WarnContext(ctx, "preview not cached", "user_id", userID, "rule_id", rule.ID, "error", err)
		}
	}
	return page, nil
}

// previewRefused shows the preview page saying how long to wait when err is
// the person's share running out (429, Retry-After), and reports whether it
// did.
func (h *handler) previewRefused(w http.ResponseWriter, r *http.Request, d *previewData, err error) bool {
	var we *waitError
	if !errors.As(err, &we) {
		return false
	}
	secs := int(math.Ceil(we.wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	d.Problem, d.Wait = "preview.wait", secs
	h.render(w, r, http.StatusTooManyRequests, "rule_preview", h.newPage(w, r, "rules", d))
	return true
}
