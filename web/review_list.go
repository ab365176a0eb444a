package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/otklik/otklik/store"
)

// sentCookie remembers which review items this browser sent lately, so the
// review page can show each on its way and then its outcome.
const (
	sentCookie = "otklik_sent"
	maxSent    = 20
)

type reviewData struct {
	HH    hhConnection
	Items []store.Application
	Sent  []store.Application // sent from this page lately, newest first
	Rules map[int64]string    // rule id → name
	// ErrorID and Error: a send refused before it left (an empty letter).
	ErrorID int64
	Error   string
	// RuleList and Rule: the filter by rule (0: every rule); Total counts
	// the items of every rule.
	RuleList []store.Rule
	Rule     int64
	Total    int
	// AI: a model is configured, so AI drafts may be rewritten.
	AI bool
	// Texts are the vacancies' texts from hh, by vacancy id, folded on
	// each card; Refresh: something sent is on its way, so the page
	// reloads itself until it has gone.
	Texts   map[string]string
	Refresh bool
}

func (h *handler) showReview(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadReview(r)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "review", h.newPage(w, r, "review", d))
}

// loadReview gathers the review page: what waits, what this browser sent
// lately, the hh connection and the rules' names.
func (h *handler) loadReview(r *http.Request) (*reviewData, error) {
	user := currentUser(r)
	ctx := r.Context()
	items, err := h.store.ReviewItems(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	conn, err := h.hhConnection(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	conn.Back = "/review"
	d := &reviewData{HH: conn, Rules: map[int64]string{}, Total: len(items), AI: h.model != nil}
	if id, err := strconv.ParseInt(r.URL.Query().Get("rule"), 10, 64); err == nil && id > 0 {
		d.Rule = id
		conn.Back = "/review?rule=" + strconv.FormatInt(id, 10)
		d.HH = conn
	}
	var ids []string
	for _, a := range items {
		if d.Rule == 0 || a.RuleID == d.Rule {
			d.Items = append(d.Items, a)
			ids = append(ids, a.VacancyID)
		}
	}
	d.Texts = h.loadVacancyTexts(ctx, user.ID, ids)
	for _, id := range sentIDs(r) {
		a, err := h.store.Application(ctx, user.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if a.Status == store.StatusReview || a.Status == store.StatusExternal {
			continue // back in the queue: it is listed above
		}
		d.Sent = append(d.Sent, *a)
		if a.Status == store.StatusQueued && a.Reason == "" && conn.WaitReason() == "" {
			d.Refresh = true
		}
	}
	rulesList, err := h.store.Rules(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	d.RuleList = rulesList
	for _, rl := range rulesList {
		d.Rules[rl.ID] = rl.Name
	}
	return d, nil
}

// sentIDs reads the sent cookie, newest first.
func sentIDs(r *http.Request) []int64 {
	ck, err := r.Cookie(sentCookie)
	if err != nil {
		return nil
	}
	var ids []int64
	for _, s := range strings.Split(ck.Value, ".") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
		if len(ids) == maxSent {
			break
		}
	}
	return ids
}

// rememberSent puts ids first in the sent cookie.
func (h *handler) rememberSent(w http.ResponseWriter, r *http.Request, ids ...int64) {
	var parts []string
	seen := map[int64]bool{}
	for _, id := range append(ids, sentIDs(r)...) {
		if !seen[id] && len(parts) < maxSent {
			seen[id] = true
			parts = append(parts, strconv.FormatInt(id, 10))
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sentCookie, Value: strings.Join(parts, "."), Path: "/review", MaxAge: 24 * 3600,
		HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

// sentFlash is what the person is told after sending: on its way, or, while
// hh access is down, that it waits until access is back.
func (h *handler) sentFlash(r *http.Request, userID int64) string {
	conn, err := h.hhConnection(r.Context(), userID)
	if err == nil && conn.WaitReason() != "" {
		return "review_waiting"
	}
	return "review_sent"
}
