package hhsandbox

import (
	"net/http"
)

// handleVacancy serves GET /vacancies/{id} in full form, archived ones
// included; the captcha, when on, guards it as on hh.
func (s *Sandbox) handleVacancy(w http.ResponseWriter, r *http.Request, c caller) {
	if s.captchaRequired(w, r, c.user) {
		return
	}
	base := s.baseURL(r)
	userID := ""
	if c.user != nil {
		userID = c.user.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.vacancies[r.PathValue("id")]
	if v == nil || v.PublishedAt.After(s.nowLocked()) {
		s.notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.fullVacancyWire(base, v, userID))
}
