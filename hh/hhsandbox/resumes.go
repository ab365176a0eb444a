package hhsandbox

import (
	"fmt"
	"net/http"
	"time"
)

// PublishCooldown is how long hh makes a person wait between two raises of
// a resume (REFERENCE §3: next_publish_at, POST /resumes/{id}/publish).
const PublishCooldown = 4 * time.Hour

// nextPublishLocked is when res may next be raised.
func nextPublishLocked(res *Resume) time.Time {
	if !res.NextPublishAt.IsZero() {
		return res.NextPublishAt
	}
	return res.UpdatedAt.Add(PublishCooldown)
}

// raiseStateLocked is what GET /resumes/mine says of raising res at now:
// can_publish_or_update and next_publish_at (nil for a resume that is not
// published, as hh sends it). A blocked resume can be neither published nor
// raised; an unpublished one can be published at once.
func raiseStateLocked(res *Resume, now time.Time) (can bool, next *string) {
	switch {
	case res.Blocked:
		return false, nil
	case !res.Published:
		return true, nil
	}
	at := nextPublishLocked(res)
	return !now.Before(at), strPtr(hhTime(at))
}

// handlePublishResume serves POST /resumes/{id}/publish: the first
// publication of a resume, or a raise of a published one to the top of the
// search, allowed once per PublishCooldown. Earlier, hh answers 429
// resumes/touch_limit_exceeded; a blocked resume gets 400 bad_request.
func (s *Sandbox) handlePublishResume(w http.ResponseWriter, r *http.Request, c caller) {
	id := r.PathValue("id")
	s.mu.Lock()
	res := s.st.resumes[id]
	if res == nil || s.st.owner[id] != c.user.ID {
		s.mu.Unlock()
		s.fail(w, http.StatusNotFound, "not_found", "")
		return
	}
	now := s.nowLocked()
	status := http.StatusNoContent
	switch {
	case res.Blocked:
		status = http.StatusBadRequest
	case res.Published && now.Before(nextPublishLocked(res)):
		status = http.StatusTooManyRequests
	default:
		res.Published = true
		res.UpdatedAt = now.Truncate(time.Second)
		res.NextPublishAt = res.UpdatedAt.Add(PublishCooldown)
	}
	res.Publishes = append(res.Publishes, PublishAttempt{At: now, Status: status})
	s.mu.Unlock()

	switch status {
	case http.StatusBadRequest:
		s.writeError(w, status, errorBody{
			Description: "Не отредактированы поля после блокировки модератором",
			Errors:      []apiError{{Type: "bad_request"}},
		})
	case http.StatusTooManyRequests:
		s.fail(w, status, "resumes", "touch_limit_exceeded")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// SetResumePublishable sets when the resume may next be raised (the admin
// API's POST /_sandbox/resumes/{id}/publishable).
func (s *Sandbox) SetResumePublishable(resumeID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.st.resumes[resumeID]
	if res == nil {
		return fmt.Errorf("no resume %q", resumeID)
	}
	res.NextPublishAt = at
	return nil
}

// SetResumeBlocked blocks a resume (as a moderator would) or unblocks it.
func (s *Sandbox) SetResumeBlocked(resumeID string, blocked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.st.resumes[resumeID]
	if res == nil {
		return fmt.Errorf("no resume %q", resumeID)
	}
	res.Blocked = blocked
	return nil
}

func (s *Sandbox) adminResumePublishable(w http.ResponseWriter, r *http.Request) {
	var req struct {
		At string `json:"at"`
	}
	if !decode(w, r, &req) {
		return
	}
	at, err := time.Parse(time.RFC3339, req.At)
	if err != nil {
		adminError(w, http.StatusBadRequest, "at must be an RFC 3339 time: %v", err)
		return
	}
	if err := s.SetResumePublishable(r.PathValue("id"), at); err != nil {
		adminError(w, http.StatusNotFound, "%v", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
