package hhsandbox

import (
	"encoding/json"
	"net/http"
	"strings"
)

// access is what an API route demands of the caller's token.
type access int

const (
	anyone    access = iota // token optional (dictionaries, areas, professional roles)
	user                    // a valid user or application token (/me)
	applicant               // a valid token of a user who is an applicant
)

// caller is the authenticated party of an API request.
type caller struct {
	user  *User  // nil for anonymous and application callers
	grant *grant // nil for anonymous and application callers
	app   bool   // the application token from client_credentials
}

type apiHandler func(w http.ResponseWriter, r *http.Request, c caller)

func (s *Sandbox) routes() *http.ServeMux {
	m := http.NewServeMux()
	// hh.ru: the browser pages.
	m.HandleFunc("GET /{$}", s.handleIndex)
	m.HandleFunc("GET /oauth/authorize", s.handleAuthorize)
	m.HandleFunc("POST /oauth/authorize", s.handleAuthorizeForm)
	m.HandleFunc("GET /account/captcha", s.handleCaptchaPage)
	m.HandleFunc("POST /account/captcha", s.handleCaptchaSolve)
	m.HandleFunc("GET /vacancy/{id}", s.handleVacancyPage)
	m.HandleFunc("GET /applicant/negotiations/item", s.handleNegotiationPage)
	m.HandleFunc("GET /applicant/vacancy_response", s.handleApplyPage)

	// api.hh.ru.
	m.HandleFunc("POST /token", s.handleToken)
	m.HandleFunc("POST /oauth/token", s.handleToken) // deprecated alias, still served by hh
	m.HandleFunc("DELETE /oauth/token", s.api(user, s.handleRevoke))
	m.HandleFunc("GET /me", s.api(user, s.handleMe))
	m.HandleFunc("GET /resumes/mine", s.api(applicant, s.handleMyResumes))
	m.HandleFunc("GET /resumes/{id}", s.api(applicant, s.handleResume))
	m.HandleFunc("GET /resumes/{id}/similar_vacancies", s.api(applicant, s.handleSimilar))
	m.HandleFunc("POST /resumes/{id}/publish", s.api(applicant, s.handlePublishResume))
	m.HandleFunc("GET /vacancies/{id}", s.api(anyone, s.handleVacancy))
	m.HandleFunc("GET /vacancies/blacklisted", s.api(applicant, s.handleHiddenVacancies))
	m.HandleFunc("PUT /vacancies/blacklisted/{id}", s.api(applicant, s.handleHide(vacancyHideList, true)))
	m.HandleFunc("DELETE /vacancies/blacklisted/{id}", s.api(applicant, s.handleHide(vacancyHideList, false)))
	m.HandleFunc("GET /employers/blacklisted", s.api(applicant, s.handleHiddenEmployers))
	m.HandleFunc("PUT /employers/blacklisted/{id}", s.api(applicant, s.handleHide(employerHideList, true)))
	m.HandleFunc("DELETE /employers/blacklisted/{id}", s.api(applicant, s.handleHide(employerHideList, false)))
	m.HandleFunc("POST /negotiations", s.guarded(applicant, s.handleApply, s.recordEarlyRefusal))
	m.HandleFunc("GET /negotiations", s.api(applicant, s.handleNegotiations))
	m.HandleFunc("GET /negotiations/{id}", s.api(applicant, s.handleNegotiation))
	m.HandleFunc("GET /dictionaries", s.api(anyone, func(w http.ResponseWriter, r *http.Request, _ caller) { s.handleDictionaries(w, r) }))
	m.HandleFunc("GET /areas", s.api(anyone, func(w http.ResponseWriter, r *http.Request, _ caller) { s.handleAreas(w, r) }))
	m.HandleFunc("GET /areas/{id}", s.api(anyone, func(w http.ResponseWriter, r *http.Request, _ caller) { s.handleArea(w, r) }))
	m.HandleFunc("GET /professional_roles", s.api(anyone, func(w http.ResponseWriter, r *http.Request, _ caller) { s.handleProfessionalRoles(w, r) }))

	// The admin API.
	s.adminRoutes(m)

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w) })
	return m
}

// api wraps an API handler with what every hh call goes through: latency,
// the user-agent check, injected faults and the token check.
func (s *Sandbox) api(need access, h apiHandler) http.HandlerFunc {
	return s.guarded(need, h, nil)
}

// guarded is api that also tells refused, when set, of a request answered
// before h ran (no user agent, an injected fault, an oauth or applicant 403),
// with the answer's status and errors[0] (zero for a body without one).
func (s *Sandbox) guarded(need access, h apiHandler, refused func(r *http.Request, status int, e apiError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.sleep(r)
		answer := &answerCapture{statusWriter: statusWriter{ResponseWriter: w}}
		c, ok := s.admit(answer, r, need)
		if !ok {
			if refused != nil {
				refused(r, answer.status, answer.firstError())
			}
			return
		}
		h(w, r, c)
	}
}

// admit runs the checks of every hh call, answering the request itself when
// one fails.
func (s *Sandbox) admit(w http.ResponseWriter, r *http.Request, need access) (caller, bool) {
	if userAgent(r) == "" {
		s.writeError(w, http.StatusBadRequest, errorBody{Description: "Bad Request", Errors: []apiError{{Type: "bad_user_agent", Value: "unset"}}})
		return caller{}, false
	}
	if s.injectFault(w) {
		return caller{}, false
	}
	return s.authenticate(w, r, need)
}

// answerCapture passes an early answer through and keeps its status (as the
// traffic counter's statusWriter does) and the start of its body, so the
// refusal can be recorded as sent.
type answerCapture struct {
	statusWriter
	body []byte
}

func (a *answerCapture) Write(b []byte) (int, error) {
	if room := 4096 - len(a.body); room > 0 {
		a.body = append(a.body, b[:min(room, len(b))]...)
	}
	return a.statusWriter.Write(b)
}

// firstError is errors[0] of a JSON error body, or zero (a bare 500, a
// proxy's HTML 502).
func (a *answerCapture) firstError() apiError {
	var body errorBody
	if json.Unmarshal(a.body, &body) != nil || len(body.Errors) == 0 {
		return apiError{}
	}
	return body.Errors[0]
}

// userAgent is the agent hh reads: HH-User-Agent wins over User-Agent.
func userAgent(r *http.Request) string {
	if ua := strings.TrimSpace(r.Header.Get("HH-User-Agent")); ua != "" {
		return ua
	}
	return strings.TrimSpace(r.Header.Get("User-Agent"))
}

// authenticate checks the bearer token as hh does (REFERENCE §2.4) and the
// applicant flag, writing the 403 itself when the caller does not qualify.
func (s *Sandbox) authenticate(w http.ResponseWriter, r *http.Request, need access) (caller, bool) {
	header := r.Header.Get("Authorization")
	if header == "" && need == anyone {
		return caller{}, true
	}
	oauthFail := func(value, legacy string) (caller, bool) {
		s.writeError(w, http.StatusForbidden, errorBody{
			Description: "Forbidden",
			Errors:      []apiError{{Type: "oauth", Value: value}},
			OAuthError:  legacy,
		})
		return caller{}, false
	}
	scheme, token, found := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return oauthFail("bad_authorization", "bad-auth-type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.appToken != "" && token == s.st.appToken {
		if need == applicant {
			return oauthFail("user_auth_expected", "")
		}
		return caller{app: true}, true
	}
	g := s.st.tokens[token]
	switch {
	case g == nil:
		return oauthFail("bad_authorization", "bad-auth-type")
	case g.Revoked:
		return oauthFail("token_revoked", "token-revoked")
	case !s.nowLocked().Before(g.ExpiresAt):
		return oauthFail("token_expired", "token-expired")
	}
	u := s.st.userIDs[g.UserID]
	if need == applicant && !u.Applicant {
		s.writeError(w, http.StatusForbidden, errorBody{
			Description: "current user is not an applicant",
			Errors:      []apiError{{Type: "forbidden"}},
		})
		return caller{}, false
	}
	return caller{user: u, grant: g}, true
}
