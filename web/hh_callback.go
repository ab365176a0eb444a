package web

import (
	"errors"
	"net/http"

	"github.com/otklik/otklik/store"
)

// hhProblem is the Data of the page shown when connecting hh did not work;
// Message is a translation key.
type hhProblem struct {
	Message string
}

// hhCallback finishes the OAuth flow: the state must be the one this
// session was given (compared in constant time, and taken so it works once);
// then the code is exchanged, /me and /resumes/mine are read, and the tokens
// stored encrypted. Connecting again replaces the old token and revokes it.
func (h *handler) hhCallback(w http.ResponseWriter, r *http.Request) {
	user := currentUser(r)
	ctx := r.Context()
	q := r.URL.Query()
	stored, err := h.store.TakeOAuthState(ctx, visitorOf(r).session.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	if err != nil || !tokensEqual(stored, q.Get("state")) {
		h.log.InfoContext(ctx, "hh callback with a bad state", "user_id", user.ID)
		h.hhProblem(w, r, http.StatusBadRequest, "hh.state_bad")
		return
	}
	if e := q.Get("error"); e != "" {
		key := "hh.error_other"
		if e == "access_denied" {
			key = "hh.access_denied"
		}
		h.hhProblem(w, r, http.StatusOK, key)
		return
	}
	code := q.Get("code")
	if code == "" {
		h.hhProblem(w, r, http.StatusBadRequest, "hh.state_bad")
		return
	}
	tok, err := h.oauth.ExchangeCode(ctx, code, h.cfg.RedirectURI())
	if err != nil {
		h.log.WarnContext(ctx, "hh code exchange", "user_id", user.ID, "error", err)
		h.hhProblem(w, r, http.StatusBadGateway, "hh.exchange_failed")
		return
	}
	client := h.oauth.WithToken(tok.AccessToken)
	me, err := client.Me(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "hh me", "user_id", user.ID, "error", err)
		h.hhProblem(w, r, http.StatusBadGateway, "hh.exchange_failed")
		return
	}
	if !me.IsApplicant && me.AuthType != "applicant" {
		if err := client.RevokeToken(ctx); err != nil {
			h.log.WarnContext(ctx, "revoke employer token", "user_id", user.ID, "error", err)
		}
		h.hhProblem(w, r, http.StatusOK, "hh.not_applicant")
		return
	}
	resumes, err := client.MyResumes(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "hh resumes", "user_id", user.ID, "error", err)
		h.hhProblem(w, r, http.StatusBadGateway, "hh.exchange_failed")
		return
	}
	old, err := h.store.HHAccount(ctx, user.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// An old token that no longer decrypts is replaced all the same.
		h.log.WarnContext(ctx, "read old hh account", "user_id", user.ID, "error", err)
		old = nil
	}
	err = h.store.SaveHHAccount(ctx, user.ID, store.HHAccount{
		HHUserID:  me.ID,
		FirstName: me.FirstName,
		LastName:  me.LastName,
		Token:     *tok,
	})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.store.ReplaceResumes(ctx, user.ID, resumes); err != nil {
		h.serverError(w, r, err)
		return
	}
	if old != nil && old.Token.AccessToken != "" && old.Token.AccessToken != tok.AccessToken {
		if err := h.oauth.WithToken(old.Token.AccessToken).RevokeToken(ctx); err != nil {
			h.log.WarnContext(ctx, "revoke replaced hh token", "user_id", user.ID, "error", err)
		}
	}
	switched := old != nil && old.HHUserID != "" && old.HHUserID != me.ID
	h.log.InfoContext(ctx, "hh connected", "user_id", user.ID, "resumes", len(resumes), "reconnect", old != nil, "switched", switched)
	// What waited while access was down goes out now, not at the next tick.
	if _, err := h.hhAccess.Probe(ctx, user.ID); err != nil {
		h.log.WarnContext(ctx, "send the queue after connecting hh", "user_id", user.ID, "error", err)
	}
	if switched {
		h.redirect(w, r, "/", "hh_switched")
		return
	}
	h.redirect(w, r, "/", "hh_connected")
}

func (h *handler) hhProblem(w http.ResponseWriter, r *http.Request, status int, key string) {
	h.render(w, r, status, "hh_problem", h.newPage(w, r, "dashboard", &hhProblem{Message: key}))
}
