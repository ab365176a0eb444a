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

func (s *Sandbox) handleHideVacancy(w http.ResponseWriter, r *http.Request, c caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.st.vacancies[id] == nil {
		s.fail(w, http.StatusNotFound, "vacancies_blacklist", "not_found")
		return
	}
	addHidden(s.st.hiddenVacancies, c.user.ID, id, s.nowLocked())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) handleUnhideVacancy(w http.ResponseWriter, r *http.Request, c caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.st.vacancies[id] == nil {
		s.fail(w, http.StatusNotFound, "vacancies_blacklist", "not_found")
		return
	}
	delete(s.st.hiddenVacancies[c.user.ID], id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) handleHideEmployer(w http.ResponseWriter, r *http.Request, c caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.st.employers[id] == nil {
		s.fail(w, http.StatusNotFound, "employers_blacklist", "not_found")
		return
	}
	addHidden(s.st.hiddenEmployers, c.user.ID, id, s.nowLocked())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) handleUnhideEmployer(w http.ResponseWriter, r *http.Request, c caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.st.employers[id] == nil {
		s.fail(w, http.StatusNotFound, "employers_blacklist", "not_found")
		return
	}
	delete(s.st.hiddenEmployers[c.user.ID], id)
	w.WriteHeader(http.StatusNoContent)
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
