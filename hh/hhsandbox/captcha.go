package hhsandbox

import (
	"net/http"
	"net/url"
	"strings"
)

// captchaRequired answers 403 captcha_required when the captcha is switched
// on and the user has not solved it yet, and reports whether it did.
func (s *Sandbox) captchaRequired(w http.ResponseWriter, r *http.Request, u *User) bool {
	s.mu.Lock()
	on := s.faults.Captcha && (u == nil || !s.st.captchaSolved[u.ID])
	s.mu.Unlock()
	if !on {
		return false
	}
	state := "anonymous"
	if u != nil {
		state = u.ID + "." + s.sign("captcha:"+u.ID)
	}
	s.writeError(w, http.StatusForbidden, errorBody{
		Description: "Forbidden",
		Errors: []apiError{{Type: "captcha_required", Value: "captcha_required",
			CaptchaURL: s.baseURL(r) + "/account/captcha?state=" + url.QueryEscape(state)}},
	})
	return true
}

// handleCaptchaPage shows the captcha a client sends its user to; hh expects
// the client to add backurl.
func (s *Sandbox) handleCaptchaPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	params := []hiddenParam{{"state", q.Get("state")}}
	if b := q.Get("backurl"); b != "" {
		params = append(params, hiddenParam{"backurl", b})
	}
	s.render(w, http.StatusOK, "captcha", pageData{Title: "Капча", Params: params})
}

// handleCaptchaSolve marks the captcha solved for the user named in state
// and sends the browser to backurl when there is one.
func (s *Sandbox) handleCaptchaSolve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, "Не удалось прочитать форму.")
		return
	}
	id, sig, _ := strings.Cut(r.PostForm.Get("state"), ".")
	if sig == s.sign("captcha:"+id) {
		s.mu.Lock()
		s.st.captchaSolved[id] = true
		s.mu.Unlock()
	}
	if back, err := url.Parse(r.PostForm.Get("backurl")); err == nil && (back.Scheme == "http" || back.Scheme == "https") {
		http.Redirect(w, r, back.String(), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "captcha", pageData{Title: "Капча", Solved: true})
}

// SolveCaptcha marks the captcha solved for userID, as if the user had
// passed the captcha page.
func (s *Sandbox) SolveCaptcha(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.captchaSolved[userID] = true
}
