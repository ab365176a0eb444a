package hhsandbox

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

type wireResumeRef struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	URL          string `json:"url"`
	AlternateURL string `json:"alternate_url"`
}

type wireNegotiation struct {
	ID               string         `json:"id"`
	State            idName         `json:"state"`
	CreatedAt        string         `json:"created_at"`
	UpdatedAt        string         `json:"updated_at"`
	URL              string         `json:"url"`
	HasUpdates       bool           `json:"has_updates"`
	ViewedByOpponent bool           `json:"viewed_by_opponent"`
	Hidden           bool           `json:"hidden"`
	DeclineAllowed   bool           `json:"decline_allowed"`
	MessagingStatus  string         `json:"messaging_status"`
	Source           string         `json:"source"`
	Counters         map[string]int `json:"counters"`
	Tags             []any          `json:"tags"`
	Vacancy          *wireVacancy   `json:"vacancy"`
	Resume           *wireResumeRef `json:"resume"`
}

// negotiationState derives a negotiation's state from the relations the
// admin API set: an invitation or a rejection, else a plain response.
func (st *state) negotiationState(n *negotiation) string {
	state := "response"
	for _, r := range st.relations[n.UserID][n.VacancyID] {
		switch r {
		case "got_invitation":
			state = "invitation"
		case "got_rejection":
			state = "discard"
		}
	}
	return state
}

func (s *Sandbox) negotiationWire(base string, n *negotiation) wireNegotiation {
	state := s.st.negotiationState(n)
	wn := wireNegotiation{
		ID:               n.ID,
		State:            idName{ID: state, Name: s.dicts.name("negotiations_state", state)},
		CreatedAt:        hhTime(n.CreatedAt),
		UpdatedAt:        hhTime(n.UpdatedAt),
		URL:              base + "/negotiations/" + n.ID,
		HasUpdates:       state != "response",
		ViewedByOpponent: state != "response",
		DeclineAllowed:   state == "response",
		MessagingStatus:  "ok",
		Source:           "NEGOTIATION",
		Counters:         map[string]int{"messages": 1, "unread_messages": 0},
		Tags:             []any{},
	}
	if v := s.st.vacancies[n.VacancyID]; v != nil {
		wv := s.vacancyWire(base, v, n.UserID)
		wn.Vacancy = &wv
	}
	if r := s.st.resumes[n.ResumeID]; r != nil {
		wn.Resume = &wireResumeRef{ID: r.ID, Title: r.Title, URL: base + "/resumes/" + r.ID, AlternateURL: base + "/resume/" + r.ID}
	}
	return wn
}

// statusMatches applies GET /negotiations?status= (applicant_negotiation_status).
func statusMatches(status, state string) bool {
	switch status {
	case "", "all", "active", "non_archived":
		return true
	case "invitations":
		return state == "invitation"
	case "response":
		return state == "response"
	case "discard":
		return state == "discard"
	default: // archived, deleted: the sandbox archives and deletes nothing
		return false
	}
}

// handleNegotiations serves GET /negotiations: the user's applications,
// newest update first by default.
func (s *Sandbox) handleNegotiations(w http.ResponseWriter, r *http.Request, c caller) {
	pg, perPage, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	status, vacancyID := q.Get("status"), q.Get("vacancy_id")
	if status != "" && !s.dicts.known("applicant_negotiation_status", status) {
		s.badArg(w, "status", "invalid value of status")
		return
	}
	orderBy := cmp.Or(q.Get("order_by"), "updated_at")
	if orderBy != "updated_at" && orderBy != "created_at" {
		s.badArg(w, "order_by", "invalid value of order_by")
		return
	}
	desc := q.Get("order") != "asc"
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []*negotiation
	for _, n := range s.st.negotiations {
		if n.UserID == c.user.ID && (vacancyID == "" || n.VacancyID == vacancyID) && statusMatches(status, s.st.negotiationState(n)) {
			mine = append(mine, n)
		}
	}
	key := func(n *negotiation) time.Time {
		if orderBy == "created_at" {
			return n.CreatedAt
		}
		return n.UpdatedAt
	}
	slices.SortStableFunc(mine, func(a, b *negotiation) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	from, to, pages := pageBounds(len(mine), pg, perPage)
	out := page[wireNegotiation]{Found: len(mine), Pages: pages, PerPage: perPage, Page: pg, Items: []wireNegotiation{}}
	for _, n := range mine[from:to] {
		out.Items = append(out.Items, s.negotiationWire(base, n))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleNegotiation serves GET /negotiations/{id} for its owner.
func (s *Sandbox) handleNegotiation(w http.ResponseWriter, r *http.Request, c caller) {
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.st.negotiations {
		if n.ID == r.PathValue("id") && n.UserID == c.user.ID {
			writeJSON(w, http.StatusOK, s.negotiationWire(base, n))
			return
		}
	}
	s.notFound(w)
}
