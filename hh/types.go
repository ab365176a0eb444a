package hh

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is hh's date-time format: ISO 8601 with no colon in the offset.
const TimeLayout = "2006-01-02T15:04:05-0700"

// Time is a time.Time that reads and writes hh's date-time format
// ("2013-07-08T16:17:21+0400"). A JSON null or empty string is the zero Time.
type Time struct{ time.Time }

// UnmarshalJSON accepts hh's layout and, leniently, RFC 3339.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("hh: time: %w", err)
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{TimeLayout, time.RFC3339} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("hh: time %q is not in hh's format %s", s, TimeLayout)
}

// MarshalJSON writes hh's layout; the zero Time is written as null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(TimeLayout))
}

// IDName is hh's ubiquitous {id, name} pair (dictionary entries, statuses, types).
type IDName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Area is a region reference as it appears inside vacancies and resumes.
type Area struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Salary is a vacancy's salary fork. From or To (or both) may be absent.
type Salary struct {
	From     *float64 `json:"from"`
	To       *float64 `json:"to"`
	Currency string   `json:"currency"`
	Gross    *bool    `json:"gross"`
}

// SalaryRange is the newer salary object with a payment mode and frequency.
type SalaryRange struct {
	Salary
	Mode      *IDName `json:"mode"`
	Frequency *IDName `json:"frequency"`
}

// Employer is the public employer object inside a vacancy. ID is empty for
// anonymous vacancies (hh sends null).
type Employer struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	URL                  string `json:"url,omitempty"`
	AlternateURL         string `json:"alternate_url,omitempty"`
	Trusted              bool   `json:"trusted"`
	AccreditedITEmployer bool   `json:"accredited_it_employer"`
	Blacklisted          bool   `json:"blacklisted,omitempty"`
}

// Snippet holds short excerpts of a vacancy. Matches of the search text are
// wrapped in <highlighttext>…</highlighttext>; the text is untrusted.
type Snippet struct {
	Requirement    *string `json:"requirement"`
	Responsibility *string `json:"responsibility"`
}

// VacancyTest describes the employer's test on a full vacancy.
type VacancyTest struct {
	ID       string `json:"id,omitempty"`
	Required bool   `json:"required"`
}

// Vacancy types (Vacancy.Type.ID).
const (
	VacancyTypeOpen      = "open"
	VacancyTypeClosed    = "closed"
	VacancyTypeAnonymous = "anonymous"
	VacancyTypeDirect    = "direct"
)

// Vacancy relations (Vacancy.Relations) from hh's vacancy_relation dictionary.
const (
	RelationFavorited     = "favorited"
	RelationGotResponse   = "got_response"
	RelationGotInvitation = "got_invitation"
	RelationGotRejection  = "got_rejection"
	RelationBlacklisted   = "blacklisted"
	RelationGotQuestion   = "got_question"
)

// Vacancy is a vacancy in search form (similar_vacancies, blacklists) or, with
// Description, Test and KeySkills filled, in the full form of GET /vacancies/{id}.
type Vacancy struct {
	ID                     string       `json:"id"`
	Name                   string       `json:"name"`
	Area                   Area         `json:"area"`
	Salary                 *Salary      `json:"salary"`
	SalaryRange            *SalaryRange `json:"salary_range"`
	Employer               Employer     `json:"employer"`
	Type                   IDName       `json:"type"`
	Relations              []string     `json:"relations"`
	ResponseLetterRequired bool         `json:"response_letter_required"`
	HasTest                bool         `json:"has_test"`
	Test                   *VacancyTest `json:"test,omitempty"` // full form only
	Archived               bool         `json:"archived"`
	ResponseURL            string       `json:"response_url,omitempty"` // direct vacancies only: the employer's own apply page
	URL                    string       `json:"url"`
	AlternateURL           string       `json:"alternate_url"`
	ApplyAlternateURL      string       `json:"apply_alternate_url"`
	PublishedAt            Time         `json:"published_at"`
	CreatedAt              Time         `json:"created_at"`
	Snippet                Snippet      `json:"snippet"`
	Schedule               *IDName      `json:"schedule"`
	Experience             *IDName      `json:"experience"`
	Employment             *IDName      `json:"employment"`
	ProfessionalRoles      []IDName     `json:"professional_roles"`
	Description            string       `json:"description,omitempty"` // full form only; untrusted HTML
	KeySkills              []struct {
		Name string `json:"name"`
	} `json:"key_skills,omitempty"`
}

// Page is hh's pagination envelope.
type Page[T any] struct {
	Found   int `json:"found"`
	Pages   int `json:"pages"`
	PerPage int `json:"per_page"`
	Page    int `json:"page"`
	Items   []T `json:"items"`
}

// VacancyPage is one page of a vacancy search.
type VacancyPage = Page[Vacancy]

// Resume statuses (Resume.Status.ID).
const (
	ResumeStatusPublished    = "published"
	ResumeStatusNotPublished = "not_published"
	ResumeStatusBlocked      = "blocked"
	ResumeStatusOnModeration = "on_moderation"
)

// Resume is one of the user's resumes from GET /resumes/mine.
type Resume struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status IDName `json:"status"`
	Access struct {
		Type IDName `json:"type"`
	} `json:"access"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Area         *Area  `json:"area"`
	AlternateURL string `json:"alternate_url"`
	URL          string `json:"url"`
	Blocked      bool   `json:"blocked"`
	Finished     bool   `json:"finished"`
	CreatedAt    Time   `json:"created_at"`
	UpdatedAt    Time   `json:"updated_at"`
	// CanPublishOrUpdate is true when hh allows publishing or raising the
	// resume now (PublishResume); nil when hh did not say.
	CanPublishOrUpdate *bool `json:"can_publish_or_update"`
	// NextPublishAt is when hh next allows raising the resume; zero when
	// hh sent none (an unpublished resume).
	NextPublishAt Time `json:"next_publish_at"`
}

// Published reports whether the resume can be used to apply.
func (r Resume) Published() bool { return r.Status.ID == ResumeStatusPublished }

// Auth types (Me.AuthType).
const (
	AuthTypeApplicant   = "applicant"
	AuthTypeEmployer    = "employer"
	AuthTypeApplication = "application"
)

// Me is the current user's profile from GET /me. With an application token
// only the flags are filled.
type Me struct {
	ID                    string `json:"id"`
	FirstName             string `json:"first_name"`
	LastName              string `json:"last_name"`
	MiddleName            string `json:"middle_name"`
	Email                 string `json:"email"`
	Phone                 string `json:"phone"`
	AuthType              string `json:"auth_type"`
	IsApplicant           bool   `json:"is_applicant"`
	IsEmployer            bool   `json:"is_employer"`
	IsEmployerIntegration bool   `json:"is_employer_integration"`
	IsApplication         bool   `json:"is_application"`
	IsAdmin               bool   `json:"is_admin"`
	IsInSearch            bool   `json:"is_in_search"`
	ResumesURL            string `json:"resumes_url"`
	NegotiationsURL       string `json:"negotiations_url"`
}

// Token is a user's OAuth token pair from POST /token. ExpiresAt is computed
// by the client from expires_in at the moment the response arrived.
type Token struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int       `json:"expires_in"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"-"`
}

// ApplyResult is the outcome of a successful POST /negotiations: either a
// negotiation was created (NegotiationID), or the vacancy is a direct one and
// the person must apply on the employer's site (ExternalURL, never followed).
type ApplyResult struct {
	NegotiationID string
	ExternalURL   string
}

// Negotiation is one of the applicant's applications from GET /negotiations.
type Negotiation struct {
	ID               string `json:"id"`
	State            IDName `json:"state"`
	CreatedAt        Time   `json:"created_at"`
	UpdatedAt        Time   `json:"updated_at"`
	URL              string `json:"url"`
	HasUpdates       bool   `json:"has_updates"`
	ViewedByOpponent bool   `json:"viewed_by_opponent"`
	Hidden           bool   `json:"hidden"`
	DeclineAllowed   bool   `json:"decline_allowed"`
	MessagingStatus  string `json:"messaging_status"`
	Vacancy          *struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		URL          string `json:"url"`
		AlternateURL string `json:"alternate_url"`
	} `json:"vacancy"`
	Resume *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"resume"`
}

// NegotiationPage is one page of GET /negotiations.
type NegotiationPage = Page[Negotiation]

// BlacklistedVacancyPage is one page of the applicant's hidden vacancies
// (GET /vacancies/blacklisted); LimitReached is set when the list is full.
type BlacklistedVacancyPage struct {
	Page[Vacancy]
	LimitReached bool `json:"limit_reached"`
}

// BlacklistedEmployer is an employer the applicant has hidden.
type BlacklistedEmployer struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	URL           string `json:"url"`
	AlternateURL  string `json:"alternate_url"`
	VacanciesURL  string `json:"vacancies_url"`
	OpenVacancies int    `json:"open_vacancies"`
}

// BlacklistedEmployerPage is one page of the applicant's hidden employers
// (GET /employers/blacklisted); LimitReached is set when the list is full.
type BlacklistedEmployerPage struct {
	Page[BlacklistedEmployer]
	LimitReached bool `json:"limit_reached"`
}

// AreaNode is a node of hh's region tree from GET /areas.
type AreaNode struct {
	ID       string     `json:"id"`
	ParentID string     `json:"parent_id"`
	Name     string     `json:"name"`
	Areas    []AreaNode `json:"areas"`
}

// Currency is an entry of the currency dictionary.
type Currency struct {
	Code    string  `json:"code"`
	Abbr    string  `json:"abbr"`
	Name    string  `json:"name"`
	Default bool    `json:"default"`
	Rate    float64 `json:"rate"`
	InUse   bool    `json:"in_use"`
}

// Dictionaries holds the entries of GET /dictionaries that Otklik uses.
type Dictionaries struct {
	Experience         []IDName   `json:"experience"`
	Employment         []IDName   `json:"employment"`
	Schedule           []IDName   `json:"schedule"`
	EmploymentForm     []IDName   `json:"employment_form"`
	WorkFormat         []IDName   `json:"work_format"`
	VacancySearchOrder []IDName   `json:"vacancy_search_order"`
	VacancySearchField []IDName   `json:"vacancy_search_fields"`
	VacancyLabel       []IDName   `json:"vacancy_label"`
	VacancyType        []IDName   `json:"vacancy_type"`
	VacancyRelation    []IDName   `json:"vacancy_relation"`
	ResumeStatus       []IDName   `json:"resume_status"`
	Currency           []Currency `json:"currency"`
}

// ProfessionalRoles is hh's professional role catalogue from
// GET /professional_roles.
type ProfessionalRoles struct {
	Categories []RoleCategory `json:"categories"`
}

// RoleCategory groups professional roles ("Информационные технологии").
// A role may appear in several categories.
type RoleCategory struct {
	ID    string             `json:"id"`
	Name  string             `json:"name"`
	Roles []ProfessionalRole `json:"roles"`
}

// ProfessionalRole is one role of the catalogue; its ID is what the
// professional_role search parameter takes.
type ProfessionalRole struct {
	ID                      string `json:"id"`
	Name                    string `json:"name"`
	AcceptIncompleteResumes bool   `json:"accept_incomplete_resumes"`
	IsDefault               bool   `json:"is_default"`
	SearchDeprecated        bool   `json:"search_deprecated"` // not to be offered in search forms
	SelectDeprecated        bool   `json:"select_deprecated"` // not to be chosen for new resumes and vacancies
}

// Search orders (SimilarVacanciesParams.OrderBy).
const (
	OrderByPublicationTime = "publication_time"
	OrderByRelevance       = "relevance"
	OrderBySalaryDesc      = "salary_desc"
	OrderBySalaryAsc       = "salary_asc"
)

// Paging limits of vacancy searches.
const (
	MaxPerPage     = 100
	MaxSearchDepth = 2000
)

// SimilarVacanciesParams are the query parameters of
// GET /resumes/{resume_id}/similar_vacancies. Zero values are not sent.
// Multi-valued fields are sent as repeated keys (area=1&area=2).
type SimilarVacanciesParams struct {
	Text               string
	SearchField        []string
	Area               []string
	Salary             int
	Currency           string
	OnlyWithSalary     bool
	Experience         []string
	Employment         []string
	Schedule           []string
	ProfessionalRole   []string
	EmployerID         []string
	ExcludedEmployerID []string
	Period             int       // days back, 1–30; excludes DateFrom/DateTo
	DateFrom           time.Time // zero: unset
	DateTo             time.Time // zero: unset; only with DateFrom
	OrderBy            string
	Page               int
	PerPage            int // 1–100; 0 means hh's default
}
