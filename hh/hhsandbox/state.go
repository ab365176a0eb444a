package hhsandbox

import (
	"strconv"
	"time"
)

// Vacancy is a vacancy of the sandbox catalogue in the form PutVacancy and
// POST /_sandbox/vacancies accept. It is the sandbox's own model; what the
// API serves is rendered from it in hh's wire format.
type Vacancy struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	AreaID       string `json:"area_id"`
	EmployerID   string `json:"employer_id"` // "" for an anonymous employer (served as null)
	EmployerName string `json:"employer_name"`
	// Type is open, closed, anonymous or direct.
	Type string `json:"type"`
	// ResponseURL is the employer's own apply page; set for direct vacancies.
	ResponseURL             string    `json:"response_url,omitempty"`
	SalaryFrom              *int      `json:"salary_from"`
	SalaryTo                *int      `json:"salary_to"`
	Currency                string    `json:"currency"`
	Gross                   bool      `json:"gross"`
	Experience              string    `json:"experience"`
	Employment              string    `json:"employment"`
	Schedule                string    `json:"schedule"`
	ProfessionalRole        string    `json:"professional_role"`
	Requirement             string    `json:"requirement"`
	Responsibility          string    `json:"responsibility"`
	Description             string    `json:"description"`
	KeySkills               []string  `json:"key_skills"`
	ResponseLetterRequired  bool      `json:"response_letter_required"`
	HasTest                 bool      `json:"has_test"`
	TestRequired            bool      `json:"test_required"`
	Archived                bool      `json:"archived"`
	AcceptIncompleteResumes bool      `json:"accept_incomplete_resumes"`
	PublishedAt             time.Time `json:"published_at"`
}

// HasSalary reports whether the vacancy states a salary fork.
func (v Vacancy) HasSalary() bool { return v.SalaryFrom != nil || v.SalaryTo != nil }

func (v Vacancy) clone() *Vacancy {
	c := v
	c.KeySkills = append([]string(nil), v.KeySkills...)
	if v.SalaryFrom != nil {
		n := *v.SalaryFrom
		c.SalaryFrom = &n
	}
	if v.SalaryTo != nil {
		n := *v.SalaryTo
		c.SalaryTo = &n
	}
	return &c
}

// User is a sandbox hh account. Applicant is false for the employer account,
// which fails the applicant check of the API.
type User struct {
	ID         string   `json:"id"`
	FirstName  string   `json:"first_name"`
	LastName   string   `json:"last_name"`
	MiddleName string   `json:"middle_name,omitempty"`
	Email      string   `json:"email"`
	Phone      string   `json:"phone"`
	Applicant  bool     `json:"applicant"`
	Resumes    []Resume `json:"resumes"`
}

// FullName is "Имя Фамилия".
func (u User) FullName() string { return u.FirstName + " " + u.LastName }

// Resume is one of a sandbox user's resumes.
type Resume struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Published bool      `json:"published"`
	AreaID    string    `json:"area_id"`
	Salary    int       `json:"salary"` // roubles; 0 means none
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Blocked: a moderator blocked the resume; hh refuses to publish or
	// raise it (400) until it is edited.
	Blocked bool `json:"blocked,omitempty"`
	// NextPublishAt is when hh next allows raising the resume (zero:
	// UpdatedAt plus the cooldown); the admin API may set it.
	NextPublishAt time.Time `json:"next_publish_at,omitzero"`
	// Publishes are the POST /resumes/{id}/publish requests hh answered for
	// this resume, oldest first: what a test counts.
	Publishes []PublishAttempt `json:"publishes,omitempty"`
	// Skills, SkillSet and Experience are what GET /resumes/{id} says of
	// the person; when all are empty, a default in the resume's title.
	Skills     string       `json:"skills,omitempty"`
	SkillSet   []string     `json:"skill_set,omitempty"`
	Experience []Experience `json:"experience,omitempty"`
}

// Experience is one place of work in a resume.
type Experience struct {
	Company     string `json:"company"`
	Position    string `json:"position"`
	Start       string `json:"start"`         // YYYY-MM-DD
	End         string `json:"end,omitempty"` // "": to this day
	Description string `json:"description,omitempty"`
}

// PublishAttempt is one POST /resumes/{id}/publish and hh's answer.
type PublishAttempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"` // 204, 400 or 429
}

// Application is a negotiation created by POST /negotiations (a 201), or, in
// Redirects, a 303 to a direct vacancy's response_url.
type Application struct {
	NegotiationID string    `json:"negotiation_id,omitempty"`
	VacancyID     string    `json:"vacancy_id"`
	ResumeID      string    `json:"resume_id"`
	UserID        string    `json:"user_id"`
	Message       string    `json:"message"`
	Location      string    `json:"location"`
	Time          time.Time `json:"time"`
}

// Refusal is a POST /negotiations attempt the sandbox refused, whether
// handleApply refused it or the checks before it did (no user agent, an
// injected fault, an oauth or applicant 403). UserID is empty when no token
// the sandbox issued names the user.
type Refusal struct {
	VacancyID string `json:"vacancy_id"`
	ResumeID  string `json:"resume_id"`
	UserID    string `json:"user_id"`
	Message   string `json:"message"`
	Status    int    `json:"status"`
	// Type is errors[0].type, e.g. negotiations, captcha_required,
	// bad_argument, bad_user_agent, oauth, forbidden, too_many_requests,
	// service_unavailable; empty for a fault answered without a JSON body.
	Type  string    `json:"type"`
	Value string    `json:"value"` // errors[0].value, e.g. already_applied
	Time  time.Time `json:"time"`
}

type employer struct {
	ID           string
	Name         string
	Trusted      bool
	AccreditedIT bool
}

type negotiation struct {
	ID        string
	UserID    string
	ResumeID  string
	VacancyID string
	Message   string
	CreatedAt time.Time
	UpdatedAt time.Time
	// State and Viewed are what the admin API set (SetNegotiation); an
	// empty State leaves the negotiation to the employers' own activity.
	State  string `json:",omitempty"`
	Viewed bool   `json:",omitempty"`
}

type authCode struct {
	Code        string
	UserID      string
	RedirectURI string // as given to /oauth/authorize; "" if none was
	ExpiresAt   time.Time
	Used        bool
}

// grant is one access/refresh token pair.
type grant struct {
	UserID    string
	Access    string
	Refresh   string
	ExpiresAt time.Time
	Revoked   bool
	Refreshed bool
}

// state is everything Reset throws away.
type state struct {
	vacancies     map[string]*Vacancy
	order         []string // vacancy ids in catalogue order
	employers     map[string]*employer
	nextVacancyID int
	gen           *generator
	genesis       time.Time       // the (virtual) time the catalogue was generated at
	edited        map[string]bool // vacancies put or published since: what a state file keeps of the catalogue

	users   []*User
	userIDs map[string]*User
	resumes map[string]*Resume // by id
	owner   map[string]string  // resume id → user id

	codes     map[string]*authCode
	tokens    map[string]*grant // by access token
	refreshes map[string]*grant // by refresh token
	appToken  string
	appIssued time.Time
	consented map[string]bool // user id → granted access to the app

	negotiations []*negotiation
	negByPair    map[[2]string]*negotiation // resume, vacancy
	nextNegID    int
	applications []Application
	redirects    []Application
	refusals     []Refusal

	hiddenVacancies map[string]map[string]time.Time // user → vacancy → when
	hiddenEmployers map[string]map[string]time.Time // user → employer → when
	relations       map[string]map[string][]string  // user → vacancy → admin-set relations
	captchaSolved   map[string]bool                 // user id → solved while captcha is on
}

func newState(seed int64, vacancies int, now time.Time, areas *areaTree, rates map[string]float64) *state {
	st := &state{
		vacancies:       map[string]*Vacancy{},
		employers:       map[string]*employer{},
		userIDs:         map[string]*User{},
		resumes:         map[string]*Resume{},
		owner:           map[string]string{},
		codes:           map[string]*authCode{},
		tokens:          map[string]*grant{},
		refreshes:       map[string]*grant{},
		consented:       map[string]bool{},
		negByPair:       map[[2]string]*negotiation{},
		nextNegID:       1000001,
		hiddenVacancies: map[string]map[string]time.Time{},
		hiddenEmployers: map[string]map[string]time.Time{},
		relations:       map[string]map[string][]string{},
		captchaSolved:   map[string]bool{},
	}
	st.gen = newGenerator(seed, areas, rates)
	for _, e := range st.gen.employers {
		st.employers[e.ID] = e
	}
	st.nextVacancyID = firstVacancyID
	st.genesis = now
	for i := 0; i < vacancies; i++ {
		age := time.Duration(st.gen.rng.Int64N(int64(30 * 24 * time.Hour)))
		st.addVacancy(st.gen.vacancy(st.nextID(), now.Add(-age)))
	}
	st.edited = map[string]bool{} // from now on addVacancy notes what it changes
	for _, u := range sandboxUsers(seed, now) {
		st.users = append(st.users, u)
		st.userIDs[u.ID] = u
		for i := range u.Resumes {
			st.resumes[u.Resumes[i].ID] = &u.Resumes[i]
			st.owner[u.Resumes[i].ID] = u.ID
		}
	}
	return st
}

const firstVacancyID = 100000001

func (st *state) nextID() string {
	id := st.nextVacancyID
	st.nextVacancyID++
	return strconv.Itoa(id)
}

// addVacancy inserts or replaces v, registering its employer.
func (st *state) addVacancy(v *Vacancy) {
	if _, ok := st.vacancies[v.ID]; !ok {
		st.order = append(st.order, v.ID)
	}
	st.vacancies[v.ID] = v
	if st.edited != nil {
		st.edited[v.ID] = true
	}
	if v.EmployerID != "" {
		if e, ok := st.employers[v.EmployerID]; !ok {
			st.employers[v.EmployerID] = &employer{ID: v.EmployerID, Name: v.EmployerName}
		} else if v.EmployerName == "" {
			v.EmployerName = e.Name
		}
	}
}

// relationsOf lists user's relations to vacancy v in hh's order.
func (st *state) relationsOf(userID string, v *Vacancy) []string {
	rel := []string{}
	for _, r := range st.relations[userID][v.ID] {
		if r == "favorited" {
			rel = append(rel, r)
		}
	}
	for _, n := range st.negotiations {
		if n.UserID == userID && n.VacancyID == v.ID {
			rel = append(rel, "got_response")
			break
		}
	}
	for _, r := range st.relations[userID][v.ID] {
		if r != "favorited" && r != "got_response" && r != "blacklisted" {
			rel = append(rel, r)
		}
	}
	if _, ok := st.hiddenVacancies[userID][v.ID]; ok {
		rel = append(rel, "blacklisted")
	}
	return rel
}

// hidden reports whether user hid v or its employer.
func (st *state) hidden(userID string, v *Vacancy) bool {
	if _, ok := st.hiddenVacancies[userID][v.ID]; ok {
		return true
	}
	if v.EmployerID != "" {
		if _, ok := st.hiddenEmployers[userID][v.EmployerID]; ok {
			return true
		}
	}
	return false
}
