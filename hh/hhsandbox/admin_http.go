package hhsandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The admin API under /_sandbox/: JSON in and out, no authentication of its
// own (see Options.HideAdmin). Errors are {"error": "..."}.

// adminRoutes adds the admin API to ServeHTTP's routes unless it is hidden.
func (s *Sandbox) adminRoutes(m *http.ServeMux) {
	if s.opts.HideAdmin {
		return
	}
	s.addAdminRoutes(m)
}

// AdminHandler serves only the admin API, at the same paths (/_sandbox/…);
// anything else is 404. With Options.HideAdmin it is the only way in.
func (s *Sandbox) AdminHandler() http.Handler {
	m := http.NewServeMux()
	s.addAdminRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.ServeHTTP(w, r)
		s.changed()
	})
}

func (s *Sandbox) addAdminRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /_sandbox/{$}", s.adminIndex)
	m.HandleFunc("POST /_sandbox/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_sandbox/users", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Users()) })
	m.HandleFunc("GET /_sandbox/vacancies", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Vacancies()) })
	m.HandleFunc("GET /_sandbox/vacancies/{id}", s.adminVacancy)
	m.HandleFunc("POST /_sandbox/vacancies", s.adminPutVacancies)
	m.HandleFunc("POST /_sandbox/publish", s.adminPublish)
	m.HandleFunc("POST /_sandbox/relations", s.adminRelation)
	m.HandleFunc("POST /_sandbox/negotiations/{id}", s.adminNegotiation)
	m.HandleFunc("GET /_sandbox/applications", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Applications()) })
	m.HandleFunc("GET /_sandbox/redirects", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Redirects()) })
	m.HandleFunc("GET /_sandbox/refusals", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Refusals()) })
	m.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, faultsToJSON(s.Faults())) })
	m.HandleFunc("POST /_sandbox/faults", s.adminFaults)
	m.HandleFunc("GET /_sandbox/clock", s.adminClock)
	m.HandleFunc("POST /_sandbox/clock", s.adminClock)
	m.HandleFunc("POST /_sandbox/tokens/expire", s.adminTokens(s.ExpireTokens))
	m.HandleFunc("POST /_sandbox/tokens/revoke", s.adminTokens(s.RevokeTokens))
	m.HandleFunc("POST /_sandbox/tokens/issue", s.adminIssue)
	m.HandleFunc("POST /_sandbox/captcha/solve", s.adminSolveCaptcha)
	m.HandleFunc("POST /_sandbox/resumes/{id}/publishable", s.adminResumePublishable)
}

func adminError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// decode reads a JSON body into v; an empty body leaves v as it is.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		adminError(w, http.StatusBadRequest, "read body: %v", err)
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		adminError(w, http.StatusBadRequest, "bad JSON: %v", err)
		return false
	}
	return true
}

func (s *Sandbox) adminIndex(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"client_id":     s.opts.ClientID,
		"client_secret": s.opts.ClientSecret,
		"redirect_uri":  s.opts.RedirectURI,
		"now":           s.Now().Format(time.RFC3339),
		"endpoints": []string{
			"POST /_sandbox/reset",
			"GET /_sandbox/users",
			"GET /_sandbox/vacancies", "GET /_sandbox/vacancies/{id}",
			"POST /_sandbox/vacancies  (object or array; fields of an existing id are patched)",
			"POST /_sandbox/publish  {\"count\": N}",
			"POST /_sandbox/relations  {\"user_id\", \"vacancy_id\", \"relation\": favorited|got_invitation|got_rejection|\"\"}",
			"POST /_sandbox/negotiations/{id}  {\"state\": \"invitation\"|\"discard\"|\"response\"|…, \"viewed\": true}",
			"GET /_sandbox/applications", "GET /_sandbox/redirects", "GET /_sandbox/refusals",
			"GET|POST /_sandbox/faults  {\"latency\":\"200ms\",\"error_rate\":0.1,\"rate_limit_rate\":0.1,\"retry_after\":\"2s\",\"captcha\":true,\"token_ttl\":\"30s\",\"daily_limit\":5,\"limit_status\":429}",
			"GET|POST /_sandbox/clock  {\"advance\":\"25h\"} or {\"now\":\"2025-01-02T15:04:05+03:00\"}",
			"POST /_sandbox/tokens/expire  {\"user_ids\": [...]} (none: all)",
			"POST /_sandbox/tokens/revoke  {\"user_ids\": [...]} (none: all)",
			"POST /_sandbox/tokens/issue  {\"user_id\"}",
			"POST /_sandbox/captcha/solve  {\"user_id\"}",
		},
	})
}

func (s *Sandbox) adminVacancy(w http.ResponseWriter, r *http.Request) {
	v, ok := s.Vacancy(r.PathValue("id"))
	if !ok {
		adminError(w, http.StatusNotFound, "no vacancy %q", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// adminPutVacancies adds or changes vacancies. Each JSON object is decoded
// over the stored vacancy with its id, so only the fields it names change.
func (s *Sandbox) adminPutVacancies(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if !decode(w, r, &raw) {
		return
	}
	var items []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if err := json.Unmarshal(raw, &items); err != nil {
			adminError(w, http.StatusBadRequest, "bad JSON: %v", err)
			return
		}
	} else {
		items = []json.RawMessage{raw}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Vacancy{}
	for _, item := range items {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(item, &head)
		v := Vacancy{}
		if old := s.st.vacancies[head.ID]; old != nil {
			v = *old.clone()
			if bytes.Contains(item, []byte(`"requirement"`)) || bytes.Contains(item, []byte(`"responsibility"`)) || bytes.Contains(item, []byte(`"name"`)) {
				v.Description = "" // regenerate unless given
			}
		}
		if err := json.Unmarshal(item, &v); err != nil {
			adminError(w, http.StatusBadRequest, "bad vacancy: %v", err)
			return
		}
		stored, err := s.putVacancyLocked(v)
		if err != nil {
			adminError(w, http.StatusBadRequest, "%v", err)
			return
		}
		out = append(out, *stored.clone())
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sandbox) adminPublish(w http.ResponseWriter, r *http.Request) {
	req := struct {
		Count int `json:"count"`
	}{Count: 1}
	if !decode(w, r, &req) {
		return
	}
	if req.Count < 1 || req.Count > 10000 {
		adminError(w, http.StatusBadRequest, "count must be 1..10000")
		return
	}
	writeJSON(w, http.StatusOK, map[string][]string{"ids": s.PublishNew(req.Count)})
}

func (s *Sandbox) adminRelation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID    string `json:"user_id"`
		VacancyID string `json:"vacancy_id"`
		Relation  string `json:"relation"`
	}
	if !decode(w, r, &req) {
		return
	}
	if err := s.SetRelation(req.UserID, req.VacancyID, req.Relation); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) adminNegotiation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		State  string `json:"state"`
		Viewed *bool  `json:"viewed"`
	}
	if !decode(w, r, &req) {
		return
	}
	if err := s.SetNegotiation(r.PathValue("id"), req.State, req.Viewed); err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// faultsJSON is Faults with durations as Go duration strings ("250ms").
type faultsJSON struct {
	Latency       string  `json:"latency"`
	ErrorRate     float64 `json:"error_rate"`
	RateLimitRate float64 `json:"rate_limit_rate"`
	RetryAfter    string  `json:"retry_after"`
	Captcha       bool    `json:"captcha"`
	TokenTTL      string  `json:"token_ttl"`
	DailyLimit    int     `json:"daily_limit"`
	LimitStatus   int     `json:"limit_status"`
}

func faultsToJSON(f Faults) faultsJSON {
	return faultsJSON{Latency: f.Latency.String(), ErrorRate: f.ErrorRate, RateLimitRate: f.RateLimitRate,
		RetryAfter: f.RetryAfter.String(), Captcha: f.Captcha, TokenTTL: f.TokenTTL.String(),
		DailyLimit: f.DailyLimit, LimitStatus: f.LimitStatus}
}

// adminFaults changes the fields the body names and keeps the others.
func (s *Sandbox) adminFaults(w http.ResponseWriter, r *http.Request) {
	fj := faultsToJSON(s.Faults())
	if !decode(w, r, &fj) {
		return
	}
	var f Faults
	for _, d := range []struct {
		name, value string
		dst         *time.Duration
	}{{"latency", fj.Latency, &f.Latency}, {"retry_after", fj.RetryAfter, &f.RetryAfter}, {"token_ttl", fj.TokenTTL, &f.TokenTTL}} {
		v, err := time.ParseDuration(d.value)
		if err != nil || v < 0 {
			adminError(w, http.StatusBadRequest, "%s: bad duration %q", d.name, d.value)
			return
		}
		*d.dst = v
	}
	if fj.ErrorRate < 0 || fj.ErrorRate > 1 || fj.RateLimitRate < 0 || fj.RateLimitRate > 1 {
		adminError(w, http.StatusBadRequest, "rates must be between 0 and 1")
		return
	}
	switch fj.LimitStatus {
	case 0, http.StatusBadRequest, http.StatusForbidden, http.StatusTooManyRequests:
	default:
		adminError(w, http.StatusBadRequest, "limit_status must be 400, 403 or 429")
		return
	}
	f.ErrorRate, f.RateLimitRate, f.Captcha = fj.ErrorRate, fj.RateLimitRate, fj.Captcha
	f.DailyLimit, f.LimitStatus = fj.DailyLimit, fj.LimitStatus
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, faultsToJSON(s.Faults()))
}

// adminClock reads or moves the virtual clock.
func (s *Sandbox) adminClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var req struct {
			Advance string `json:"advance"`
			Now     string `json:"now"`
		}
		if !decode(w, r, &req) {
			return
		}
		switch {
		case req.Now != "":
			t, err := time.Parse(time.RFC3339, req.Now)
			if err != nil {
				adminError(w, http.StatusBadRequest, "now: %v", err)
				return
			}
			s.SetNow(t)
		case req.Advance != "":
			d, err := time.ParseDuration(req.Advance)
			if err != nil {
				adminError(w, http.StatusBadRequest, "advance: %v", err)
				return
			}
			s.Advance(d)
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": s.Now().Format(time.RFC3339)})
}

func (s *Sandbox) adminTokens(apply func(...string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			UserIDs []string `json:"user_ids"`
		}
		if !decode(w, r, &req) {
			return
		}
		apply(req.UserIDs...)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Sandbox) adminIssue(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if !decode(w, r, &req) {
		return
	}
	tok, err := s.IssueToken(req.UserID)
	if err != nil {
		adminError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_token": tok.AccessToken, "refresh_token": tok.RefreshToken,
		"expires_at": tok.ExpiresAt.Format(time.RFC3339)})
}

func (s *Sandbox) adminSolveCaptcha(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID string `json:"user_id"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.SolveCaptcha(req.UserID)
	w.WriteHeader(http.StatusNoContent)
}
