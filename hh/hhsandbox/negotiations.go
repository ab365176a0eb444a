package hhsandbox

import (
	"cmp"
	"fmt"
	"hash/fnv"
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

// negotiationView is what hh shows of a negotiation at one moment.
type negotiationView struct {
	State     string
	Viewed    bool
	UpdatedAt time.Time
}

// employerAct is what the employer of a negotiation does on its own when
// Options.EmployerActivity is on: drawn from the seed and the negotiation
// id alone, so a replay (or a restart from the state file) sees the same.
type employerAct struct {
	ViewAt   time.Time // zero: never viewed
	Decision string    // "invitation", "discard" or "" (viewed, no answer)
	DecideAt time.Time
}

func employerActs(seed int64, n *negotiation) employerAct {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%s", seed, n.ID)
	x := h.Sum64()
	if x%100 >= 60 {
		return employerAct{}
	}
	act := employerAct{ViewAt: n.CreatedAt.Add(time.Duration(1+(x>>8)%5) * time.Minute)}
	switch (x >> 16) % 3 {
	case 0:
		act.Decision = "invitation"
	case 1:
		act.Decision = "discard"
	}
	act.DecideAt = act.ViewAt.Add(time.Duration(2+(x>>24)%8) * time.Minute)
	return act
}

// viewLocked is n as hh shows it at now: what the admin API set wins, then
// the relations set on its vacancy, then the employers' own activity.
func (s *Sandbox) viewLocked(n *negotiation, now time.Time) negotiationView {
	v := negotiationView{State: "response", UpdatedAt: n.UpdatedAt}
	if n.State != "" {
		v.State, v.Viewed = n.State, n.Viewed
		return v
	}
	if rel := s.st.negotiationState(n); rel != "response" {
		v.State, v.Viewed = rel, true
		return v
	}
	if !s.opts.EmployerActivity {
		return v
	}
	act := employerActs(s.opts.Seed, n)
	if act.ViewAt.IsZero() || act.ViewAt.After(now) {
		return v
	}
	v.Viewed = true
	if act.ViewAt.After(v.UpdatedAt) {
		v.UpdatedAt = act.ViewAt
	}
	if act.Decision != "" && !act.DecideAt.After(now) {
		v.State = act.Decision
		if act.DecideAt.After(v.UpdatedAt) {
			v.UpdatedAt = act.DecideAt
		}
	}
	return v
}

func (s *Sandbox) negotiationWire(base string, n *negotiation, view negotiationView) wireNegotiation {
	state := view.State
	wn := wireNegotiation{
		ID:               n.ID,
		State:            idName{ID: state, Name: s.dicts.name("negotiations_state", state)},
		CreatedAt:        hhTime(n.CreatedAt),
		UpdatedAt:        hhTime(view.UpdatedAt),
		URL:              base + "/negotiations/" + n.ID,
		HasUpdates:       state != "response",
		ViewedByOpponent: view.Viewed,
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
	order := q.Get("order")
	if order != "" && order != "asc" && order != "desc" {
		s.badArg(w, "order", "invalid value of order")
		return
	}
	desc := order != "asc"
	hasUpdates := q.Get("has_updates")
	if hasUpdates != "" && hasUpdates != "true" && hasUpdates != "false" {
		s.badArg(w, "has_updates", "invalid value of has_updates")
		return
	}
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	type listed struct {
		n    *negotiation
		view negotiationView
	}
	var mine []listed
	for _, n := range s.st.negotiations {
		if n.UserID != c.user.ID || (vacancyID != "" && n.VacancyID != vacancyID) {
			continue
		}
		view := s.viewLocked(n, now)
		if !statusMatches(status, view.State) {
			continue
		}
		if hasUpdates != "" && (view.State != "response") != (hasUpdates == "true") {
			continue
		}
		mine = append(mine, listed{n, view})
	}
	key := func(l listed) time.Time {
		if orderBy == "created_at" {
			return l.n.CreatedAt
		}
		return l.view.UpdatedAt
	}
	slices.SortStableFunc(mine, func(a, b listed) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = cmp.Compare(a.n.ID, b.n.ID)
		}
		if desc {
			return -c
		}
		return c
	})
	from, to, pages := pageBounds(len(mine), pg, perPage)
	out := page[wireNegotiation]{Found: len(mine), Pages: pages, PerPage: perPage, Page: pg, Items: []wireNegotiation{}}
	for _, l := range mine[from:to] {
		out.Items = append(out.Items, s.negotiationWire(base, l.n, l.view))
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
			writeJSON(w, http.StatusOK, s.negotiationWire(base, n, s.viewLocked(n, s.nowLocked())))
			return
		}
	}
	s.notFound(w)
}

// SetNegotiation sets what the employer did with negotiation id: state (one
// of hh's negotiations_state ids, e.g. invitation or discard; "" keeps the
// one shown now) and whether they viewed it (nil: viewed when state is not
// a plain response). It wins over relations and employer activity, and
// moves the negotiation's updated_at to now.
func (s *Sandbox) SetNegotiation(id, state string, viewed *bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state != "" && !s.dicts.known("negotiations_state", state) {
		return fmt.Errorf("hhsandbox: negotiation state %q is not in negotiations_state", state)
	}
	now := s.nowLocked()
	for _, n := range s.st.negotiations {
		if n.ID != id {
			continue
		}
		cur := s.viewLocked(n, now)
		if state == "" {
			state = cur.State
		}
		v := cur.Viewed || state != "response"
		if viewed != nil {
			v = *viewed
		}
		n.State, n.Viewed, n.UpdatedAt = state, v, now
		return nil
	}
	return fmt.Errorf("hhsandbox: no negotiation %q", id)
}

// handleNegotiationPage stands in for hh's page of one conversation
// (/applicant/negotiations/item?topicId=…), where links in Otklik's mail
// lead: the sandbox has no conversations, so it shows the vacancy.
func (s *Sandbox) handleNegotiationPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("topicId")
	s.mu.Lock()
	vacancyID := ""
	for _, n := range s.st.negotiations {
		if n.ID == id {
			vacancyID = n.VacancyID
		}
	}
	s.mu.Unlock()
	if vacancyID == "" {
		s.render(w, http.StatusNotFound, "error", pageData{Title: "Отклик не найден", Error: "Отклик не найден."})
		return
	}
	http.Redirect(w, r, s.basePath()+"/vacancy/"+vacancyID, http.StatusFound)
}
