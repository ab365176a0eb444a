package hhsandbox

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Blacklists ("hidden vacancies / employers" on the site): PUT and DELETE are
// idempotent 204s; hidden items drop out of the user's search results.

// hideList is one of a user's two hide lists as the API sees it.
type hideList struct {
	errType string                                          // "vacancies_blacklist" or "employers_blacklist"
	exists  func(st *state, id string) bool                 // the item hh knows
	hidden  func(st *state) map[string]map[string]time.Time // user → id → when hidden
}

var (
	vacancyHideList = hideList{
		errType: "vacancies_blacklist",
		exists:  func(st *state, id string) bool { return st.vacancies[id] != nil },
		hidden:  func(st *state) map[string]map[string]time.Time { return st.hiddenVacancies },
	}
	employerHideList = hideList{
		errType: "employers_blacklist",
		exists:  func(st *state, id string) bool { return st.employers[id] != nil },
		hidden:  func(st *state) map[string]map[string]time.Time { return st.hiddenEmployers },
	}
)

// handleHide serves PUT (hide) and DELETE (show again) on one hide list:
// 404 for an item hh does not know, otherwise an idempotent 204.
func (s *Sandbox) handleHide(l hideList, hide bool) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		s.mu.Lock()
		defer s.mu.Unlock()
		id := r.PathValue("id")
		if !l.exists(s.st, id) {
			s.fail(w, http.StatusNotFound, l.errType, "not_found")
			return
		}
		if hide {
			addHidden(l.hidden(s.st), c.user.ID, id, s.nowLocked())
		} else {
			delete(l.hidden(s.st)[c.user.ID], id)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func addHidden(m map[string]map[string]time.Time, userID, id string, now time.Time) {
	if m[userID] == nil {
		m[userID] = map[string]time.Time{}
	}
	if _, ok := m[userID][id]; !ok {
		m[userID][id] = now
	}
}

// hiddenIDs lists the user's hidden ids, most recently hidden first.
func hiddenIDs(m map[string]time.Time) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := m[b].Compare(m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return ids
}

// pageParams reads page and per_page (default 20) for the list endpoints.
func (s *Sandbox) pageParams(w http.ResponseWriter, r *http.Request) (pg, perPage int, ok bool) {
	pg, perPage = 0, 20
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.badArg(w, "page", "invalid value of page")
			return 0, 0, false
		}
		pg = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.badArg(w, "per_page", "invalid value of per_page")
			return 0, 0, false
		}
		perPage = n
	}
	return pg, perPage, true
}

func pageBounds(total, pg, perPage int) (from, to, pages int) {
	pages = (total + perPage - 1) / perPage
	from = min(pg*perPage, total)
	to = min(from+perPage, total)
	return from, to, pages
}

func (s *Sandbox) handleHiddenVacancies(w http.ResponseWriter, r *http.Request, c caller) {
	pg, perPage, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := hiddenIDs(s.st.hiddenVacancies[c.user.ID])
	from, to, pages := pageBounds(len(ids), pg, perPage)
	out := blacklistPage[wireVacancy]{page: page[wireVacancy]{Found: len(ids), Pages: pages, PerPage: perPage, Page: pg, Items: []wireVacancy{}}}
	for _, id := range ids[from:to] {
		wv := s.vacancyWire(base, s.st.vacancies[id], c.user.ID)
		wv.AdvResponseURL = strPtr(base + "/vacancies/" + id + "/adv_response")
		out.Items = append(out.Items, wv)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sandbox) handleHiddenEmployers(w http.ResponseWriter, r *http.Request, c caller) {
	pg, perPage, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	base := s.baseURL(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := hiddenIDs(s.st.hiddenEmployers[c.user.ID])
	from, to, pages := pageBounds(len(ids), pg, perPage)
	out := blacklistPage[wireHiddenEmployer]{page: page[wireHiddenEmployer]{Found: len(ids), Pages: pages, PerPage: perPage, Page: pg, Items: []wireHiddenEmployer{}}}
	now := s.nowLocked()
	for _, id := range ids[from:to] {
		open := 0
		for _, v := range s.st.vacancies {
			if v.EmployerID == id && !v.Archived && !v.PublishedAt.After(now) {
				open++
			}
		}
		out.Items = append(out.Items, wireHiddenEmployer{
			ID: id, Name: s.st.employers[id].Name,
			URL:           base + "/employers/" + id,
			AlternateURL:  base + "/employer/" + id,
			VacanciesURL:  base + "/vacancies?employer_id=" + id,
			OpenVacancies: float64(open),
		})
	}
	writeJSON(w, http.StatusOK, out)
}
