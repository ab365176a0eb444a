package hhsandbox

import (
	"fmt"
	"slices"
	"time"
)

// The Go side of the admin API: tests in other packages steer and inspect
// the sandbox through these methods; admin_http.go serves the same over JSON.

// Users returns the sandbox accounts with their resumes.
func (s *Sandbox) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.st.users))
	for _, u := range s.st.users {
		c := *u
		c.Resumes = slices.Clone(u.Resumes)
		for i := range c.Resumes {
			c.Resumes[i].Publishes = slices.Clone(c.Resumes[i].Publishes)
		}
		out = append(out, c)
	}
	return out
}

// User returns the account with the given id.
func (s *Sandbox) User(id string) (User, bool) {
	for _, u := range s.Users() {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// Applications lists the negotiations created by POST /negotiations (201s),
// oldest first.
func (s *Sandbox) Applications() []Application {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.applications)
}

// Redirects lists the POST /negotiations answered 303 (direct vacancies),
// oldest first.
func (s *Sandbox) Redirects() []Application {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.redirects)
}

// Refusals lists every refused POST /negotiations attempt, oldest first,
// including those answered before the application was looked at: no user
// agent, an injected 5xx or 429, an oauth 403, a user who is not an
// applicant.
func (s *Sandbox) Refusals() []Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.refusals)
}

// Vacancy returns the catalogue vacancy with the given id (archived and
// not-yet-published ones included).
func (s *Sandbox) Vacancy(id string) (Vacancy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.vacancies[id]
	if v == nil {
		return Vacancy{}, false
	}
	return *v.clone(), true
}

// Vacancies returns the whole catalogue in catalogue order.
func (s *Sandbox) Vacancies() []Vacancy {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Vacancy, 0, len(s.st.order))
	for _, id := range s.st.order {
		out = append(out, *s.st.vacancies[id].clone())
	}
	return out
}

// PutVacancy adds v to the catalogue, or replaces the vacancy with v's id.
// An empty ID gets a fresh one; empty fields get neutral defaults (Moscow,
// an open vacancy of a named employer, full-time, published now). It
// returns the vacancy as stored.
func (s *Sandbox) PutVacancy(v Vacancy) (Vacancy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.putVacancyLocked(v)
	if err != nil {
		return Vacancy{}, err
	}
	return *stored.clone(), nil
}

func (s *Sandbox) putVacancyLocked(v Vacancy) (*Vacancy, error) {
	c := v.clone()
	if c.ID == "" {
		c.ID = s.st.nextID()
	}
	if c.Name == "" {
		c.Name = "Вакансия " + c.ID
	}
	if c.AreaID == "" {
		c.AreaID = "1"
	}
	if s.areas.byID[c.AreaID] == nil {
		return nil, fmt.Errorf("hhsandbox: vacancy %s: unknown area %q", c.ID, c.AreaID)
	}
	if c.Type == "" {
		c.Type = "open"
	}
	if !s.dicts.known("vacancy_type", c.Type) {
		return nil, fmt.Errorf("hhsandbox: vacancy %s: unknown type %q", c.ID, c.Type)
	}
	if c.Type == "direct" && c.ResponseURL == "" {
		c.ResponseURL = "https://career.example.ru/vacancies/" + c.ID + "/apply"
	}
	if c.Type == "anonymous" {
		c.EmployerID = ""
	}
	if c.EmployerID == "" && c.EmployerName == "" {
		if c.Type == "anonymous" {
			c.EmployerName = anonymousNames[0]
		} else {
			e := s.st.gen.employers[0]
			c.EmployerID, c.EmployerName = e.ID, e.Name
		}
	}
	if c.HasSalary() && c.Currency == "" {
		c.Currency = "RUR"
	}
	if c.Currency != "" {
		if _, ok := s.dicts.rates[c.Currency]; !ok {
			return nil, fmt.Errorf("hhsandbox: vacancy %s: unknown currency %q", c.ID, c.Currency)
		}
	}
	defaults := []struct {
		dst       *string
		dict, def string
	}{
		{&c.Experience, "experience", "between1And3"},
		{&c.Employment, "employment", "full"},
		{&c.Schedule, "schedule", "fullDay"},
	}
	for _, d := range defaults {
		if *d.dst == "" {
			*d.dst = d.def
		}
		if !s.dicts.known(d.dict, *d.dst) {
			return nil, fmt.Errorf("hhsandbox: vacancy %s: unknown %s %q", c.ID, d.dict, *d.dst)
		}
	}
	if c.ProfessionalRole == "" {
		c.ProfessionalRole = "96"
	}
	if _, ok := roleNames[c.ProfessionalRole]; !ok {
		return nil, fmt.Errorf("hhsandbox: vacancy %s: unknown professional role %q", c.ID, c.ProfessionalRole)
	}
	if c.Description == "" {
		c.Description = description(c)
	}
	if c.PublishedAt.IsZero() {
		c.PublishedAt = s.nowLocked().Truncate(time.Second)
	}
	if c.TestRequired {
		c.HasTest = true
	}
	s.st.addVacancy(c)
	return c, nil
}

// PublishNew publishes n freshly generated vacancies (none archived) dated
// now and returns their ids, newest catalogue entries last.
func (s *Sandbox) PublishNew(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	ids := make([]string, 0, n)
	for range n {
		v := s.st.gen.vacancy(s.st.nextID(), now)
		v.Archived = false
		s.st.addVacancy(v)
		ids = append(ids, v.ID)
	}
	return ids
}

// settableRelations are the relations the admin API may set; got_response
// and blacklisted follow from applying and hiding.
var settableRelations = []string{"favorited", "got_invitation", "got_rejection"}

// SetRelation adds relation (favorited, got_invitation or got_rejection) to
// userID's view of vacancyID; an empty relation clears the ones set before.
// An invitation or rejection also changes the state of the user's
// negotiation on that vacancy.
func (s *Sandbox) SetRelation(userID, vacancyID, relation string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.userIDs[userID] == nil {
		return fmt.Errorf("hhsandbox: no user %q", userID)
	}
	if s.st.vacancies[vacancyID] == nil {
		return fmt.Errorf("hhsandbox: no vacancy %q", vacancyID)
	}
	if relation != "" && !slices.Contains(settableRelations, relation) {
		return fmt.Errorf("hhsandbox: relation %q cannot be set (one of %v)", relation, settableRelations)
	}
	if s.st.relations[userID] == nil {
		s.st.relations[userID] = map[string][]string{}
	}
	rels := s.st.relations[userID][vacancyID]
	switch {
	case relation == "":
		rels = nil
	case !slices.Contains(rels, relation):
		if relation == "got_invitation" || relation == "got_rejection" {
			rels = slices.DeleteFunc(rels, func(r string) bool { return r == "got_invitation" || r == "got_rejection" })
		}
		rels = append(rels, relation)
	}
	s.st.relations[userID][vacancyID] = rels
	now := s.nowLocked()
	for _, n := range s.st.negotiations {
		if n.UserID == userID && n.VacancyID == vacancyID {
			n.UpdatedAt = now
		}
	}
	return nil
}
