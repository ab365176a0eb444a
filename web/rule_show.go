package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/otklik/otklik/rules"
	"github.com/otklik/otklik/store"
)

// showRule is the edit form of one of the user's rules.
func (h *handler) showRule(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	rule, ok := h.userRule(w, r, user.ID)
	if !ok {
		return
	}
	resumes, err := h.resumes(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := &ruleFormData{ID: rule.ID, Rule: rule.Rule, Stored: rule, ExcludeWords: rules.FormatExcludeWords(rule.ExcludeWords)}
	if d.LastRun, err = h.lastRun(r.Context(), user.ID, rule.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	if d.Outcomes, err = h.ruleFunnel(r.Context(), user.ID, rule.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.renderRuleForm(w, r, http.StatusOK, d, resumes)
}

// userRule loads rule {id} of userID, answering 404 for an unknown id or
// another user's rule (the store scopes by user, so both look the same).
func (h *handler) userRule(w http.ResponseWriter, r *http.Request, userID int64) (*store.Rule, bool) {
	return loadOwned(h, w, r, userID, h.store.Rule)
}

// loadOwned loads the user's record named by the {id} path value with load,
// answering 404 for a bad or unknown id (another user's records are unknown
// to a user-scoped load) and 500 for anything else.
func loadOwned[T any](h *handler, w http.ResponseWriter, r *http.Request, userID int64, load func(context.Context, int64, int64) (*T, error)) (*T, bool) {
	id, ok := pathID(r)
	if !ok {
		h.notFound(w, r)
		return nil, false
	}
	v, err := load(r.Context(), userID, id)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return nil, false
	}
	return v, true
}
