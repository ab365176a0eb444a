package hhsandbox

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxMessageLength is hh's limit on a cover letter, in characters.
const MaxMessageLength = 10000

// applyForm reads POST /negotiations as hh does: multipart/form-data or
// url-encoded; any other body (JSON included) reads as empty, so hh's
// "must be set" bad_argument answer follows.
func applyForm(r *http.Request) url.Values {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err == nil {
			return url.Values(r.MultipartForm.Value)
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err == nil {
			return r.PostForm
		}
	}
	return url.Values{}
}

// handleApply serves POST /negotiations with hh's outcomes (REFERENCE §7):
// 201 with Location and an empty body, 303 to a direct vacancy's
// response_url, or a refusal, every one of which is recorded.
func (s *Sandbox) handleApply(w http.ResponseWriter, r *http.Request, c caller) {
	form := applyForm(r)
	vacancyID, resumeID, message := form.Get("vacancy_id"), form.Get("resume_id"), form.Get("message")
	u := c.user
	refusal := Refusal{VacancyID: vacancyID, ResumeID: resumeID, UserID: u.ID, Message: message}

	if vacancyID == "" || resumeID == "" {
		body := errorBody{Description: "Bad Request"}
		if vacancyID == "" {
			body.Errors = append(body.Errors, apiError{Type: "bad_argument", Value: "vacancy_id"})
			body.BadArguments = append(body.BadArguments, badArgument{"vacancy_id", "Vacancy id must be set"})
		}
		if resumeID == "" {
			body.Errors = append(body.Errors, apiError{Type: "bad_argument", Value: "resume_id"})
			body.BadArguments = append(body.BadArguments, badArgument{"resume_id", "Resume id must be set"})
		}
		s.record(refusal, http.StatusBadRequest, body.Errors[0])
		s.writeError(w, http.StatusBadRequest, body)
		return
	}
	if s.captchaRequired(w, r, u) {
		s.record(refusal, http.StatusForbidden, apiError{Type: "captcha_required", Value: "captcha_required"})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	refusal.Time = now
	refuse := func(status int, value string) {
		e := apiError{Type: "negotiations", Value: value}
		s.st.refusals = append(s.st.refusals, withError(refusal, status, e))
		s.writeError(w, status, errorBody{Description: http.StatusText(status), Errors: []apiError{e}})
	}
	v := s.st.vacancies[vacancyID]
	res := s.st.resumes[resumeID]
	switch {
	case v == nil || v.PublishedAt.After(now):
		refuse(http.StatusBadRequest, "vacancy_not_found")
	case res == nil || s.st.owner[resumeID] != u.ID || !res.Published:
		refuse(http.StatusForbidden, "resume_not_found")
	case v.Archived:
		refuse(http.StatusForbidden, "invalid_vacancy")
	case v.Type == "direct" && v.ResponseURL != "":
		s.st.redirects = append(s.st.redirects, Application{VacancyID: v.ID, ResumeID: resumeID, UserID: u.ID,
			Message: message, Location: v.ResponseURL, Time: now})
		w.Header().Set("Location", v.ResponseURL)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusSeeOther)
	case s.st.negByPair[[2]string{resumeID, vacancyID}] != nil:
		refuse(http.StatusForbidden, "already_applied")
	case v.HasTest && v.TestRequired:
		refuse(http.StatusForbidden, "test_required")
	case utf8.RuneCountInString(message) > MaxMessageLength:
		refuse(http.StatusForbidden, "too_long_message")
	case v.ResponseLetterRequired && strings.TrimSpace(message) == "":
		refuse(http.StatusForbidden, "empty_message")
	case s.appliedSinceLocked(u.ID, now.Add(-24*time.Hour)) >= s.faults.DailyLimit:
		refuse(s.faults.LimitStatus, "limit_exceeded")
	default:
		n := &negotiation{ID: strconv.Itoa(s.st.nextNegID), UserID: u.ID, ResumeID: resumeID, VacancyID: vacancyID,
			Message: message, CreatedAt: now, UpdatedAt: now}
		s.st.nextNegID++
		s.st.negotiations = append(s.st.negotiations, n)
		s.st.negByPair[[2]string{resumeID, vacancyID}] = n
		location := s.basePath() + "/negotiations/" + n.ID
		s.st.applications = append(s.st.applications, Application{NegotiationID: n.ID, VacancyID: vacancyID,
			ResumeID: resumeID, UserID: u.ID, Message: message, Location: location, Time: now})
		w.Header().Set("Location", location)
		w.Header().Set("Content-Type", "text/html; charset=utf-8") // the spec's type; the body is empty
		w.WriteHeader(http.StatusCreated)
	}
}

func withError(r Refusal, status int, e apiError) Refusal {
	r.Status, r.Type, r.Value = status, e.Type, e.Value
	return r
}

// record notes a refusal decided before the state lock was taken.
func (s *Sandbox) record(r Refusal, status int, e apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Time = s.nowLocked()
	s.st.refusals = append(s.st.refusals, withError(r, status, e))
}

// recordEarlyRefusal notes a POST /negotiations answered before handleApply
// ran: no user agent, an injected 5xx or 429, an oauth 403 or a non-applicant.
// The user is the one the bearer token was issued to, if any, even when the
// token is expired or revoked.
func (s *Sandbox) recordEarlyRefusal(r *http.Request, status int, e apiError) {
	form := applyForm(r)
	refusal := Refusal{VacancyID: form.Get("vacancy_id"), ResumeID: form.Get("resume_id"), Message: form.Get("message")}
	s.mu.Lock()
	defer s.mu.Unlock()
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if g := s.st.tokens[strings.TrimSpace(token)]; g != nil && strings.EqualFold(scheme, "Bearer") {
		refusal.UserID = g.UserID
	}
	refusal.Time = s.nowLocked()
	s.st.refusals = append(s.st.refusals, withError(refusal, status, e))
}

// appliedSinceLocked counts the user's negotiations created after t.
func (s *Sandbox) appliedSinceLocked(userID string, t time.Time) int {
	n := 0
	for _, a := range s.st.applications {
		if a.UserID == userID && a.Time.After(t) {
			n++
		}
	}
	return n
}

// basePath is the path part of BaseURL: hh's Location is a path
// ("/negotiations/123"), and behind a mount prefix the path must carry it.
func (s *Sandbox) basePath() string {
	u, err := url.Parse(s.opts.BaseURL)
	if err != nil || s.opts.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}
