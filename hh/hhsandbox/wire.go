package hhsandbox

import (
	"strconv"
	"time"

	"github.com/otklik/otklik/hh"
)

// The sandbox's own wire structs: what hh sends, field for field, so the
// emulator never depends on how the client decodes.

var moscow = time.FixedZone("MSK", 3*60*60)

// hhTime formats t as hh does ("2013-07-08T16:17:21+0300").
func hhTime(t time.Time) string { return t.In(moscow).Format(hh.TimeLayout) }

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireAreaRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type wireSalary struct {
	From     *int   `json:"from"`
	To       *int   `json:"to"`
	Currency string `json:"currency"`
	Gross    bool   `json:"gross"`
}

type wireSalaryRange struct {
	From      *int    `json:"from"`
	To        *int    `json:"to"`
	Currency  string  `json:"currency"`
	Gross     bool    `json:"gross"`
	Mode      idName  `json:"mode"`
	Frequency *idName `json:"frequency"`
}

type wireEmployer struct {
	ID                   *string `json:"id"`
	Name                 string  `json:"name"`
	URL                  *string `json:"url"`
	AlternateURL         *string `json:"alternate_url"`
	LogoURLs             any     `json:"logo_urls"`
	VacanciesURL         *string `json:"vacancies_url"`
	Trusted              bool    `json:"trusted"`
	AccreditedITEmployer bool    `json:"accredited_it_employer"`
	Blacklisted          *bool   `json:"blacklisted,omitempty"` // full form only
}

type wireSnippet struct {
	Requirement    *string `json:"requirement"`
	Responsibility *string `json:"responsibility"`
}

// wireVacancy is the search form of a vacancy (similar_vacancies, blacklist).
type wireVacancy struct {
	ID                      string           `json:"id"`
	Premium                 bool             `json:"premium"`
	Name                    string           `json:"name"`
	Department              *idName          `json:"department"`
	HasTest                 bool             `json:"has_test"`
	ResponseLetterRequired  bool             `json:"response_letter_required"`
	Area                    wireAreaRef      `json:"area"`
	Salary                  *wireSalary      `json:"salary"`
	SalaryRange             *wireSalaryRange `json:"salary_range"`
	Type                    idName           `json:"type"`
	Address                 any              `json:"address"`
	ResponseURL             *string          `json:"response_url"`
	SortPointDistance       *float64         `json:"sort_point_distance"`
	PublishedAt             string           `json:"published_at"`
	CreatedAt               string           `json:"created_at"`
	Archived                bool             `json:"archived"`
	ApplyAlternateURL       string           `json:"apply_alternate_url"`
	ShowLogoInSearch        *bool            `json:"show_logo_in_search"`
	InsiderInterview        any              `json:"insider_interview"`
	URL                     string           `json:"url"`
	AlternateURL            string           `json:"alternate_url"`
	Relations               []string         `json:"relations"`
	Employer                wireEmployer     `json:"employer"`
	Snippet                 wireSnippet      `json:"snippet"`
	ShowContacts            bool             `json:"show_contacts"`
	Contacts                any              `json:"contacts"`
	Schedule                *idName          `json:"schedule"`
	WorkingDays             []idName         `json:"working_days"`
	WorkingTimeIntervals    []idName         `json:"working_time_intervals"`
	WorkingTimeModes        []idName         `json:"working_time_modes"`
	AcceptTemporary         bool             `json:"accept_temporary"`
	FlyInFlyOutDuration     []idName         `json:"fly_in_fly_out_duration"`
	WorkFormat              []idName         `json:"work_format"`
	WorkingHours            []idName         `json:"working_hours"`
	WorkScheduleByDays      []idName         `json:"work_schedule_by_days"`
	NightShifts             bool             `json:"night_shifts"`
	ProfessionalRoles       []idName         `json:"professional_roles"`
	AcceptIncompleteResumes bool             `json:"accept_incomplete_resumes"`
	Experience              *idName          `json:"experience"`
	Employment              *idName          `json:"employment"`
	EmploymentForm          *idName          `json:"employment_form"`
	Internship              bool             `json:"internship"`
	AdvResponseURL          *string          `json:"adv_response_url,omitempty"` // blacklist items only
}

type wireTest struct {
	ID       *string `json:"id"`
	Required bool    `json:"required"`
}

type wireKeySkill struct {
	Name string `json:"name"`
}

// wireFullVacancy is GET /vacancies/{id}.
type wireFullVacancy struct {
	wireVacancy
	Description        string         `json:"description"`
	BrandedDescription *string        `json:"branded_description"`
	KeySkills          []wireKeySkill `json:"key_skills"`
	Test               *wireTest      `json:"test"`
	Approved           bool           `json:"approved"`
	AllowMessages      bool           `json:"allow_messages"`
	AcceptHandicapped  bool           `json:"accept_handicapped"`
	AcceptKids         bool           `json:"accept_kids"`
	BillingType        idName         `json:"billing_type"`
	Code               *string        `json:"code"`
	DriverLicenseTypes []idName       `json:"driver_license_types"`
	Languages          []any          `json:"languages"`
	InitialCreatedAt   string         `json:"initial_created_at"`
	NegotiationsURL    *string        `json:"negotiations_url"`
	SuitableResumesURL *string        `json:"suitable_resumes_url"`
	Hidden             bool           `json:"hidden"`
}

// page is hh's pagination envelope.
type page[T any] struct {
	Found   int `json:"found"`
	Pages   int `json:"pages"`
	PerPage int `json:"per_page"`
	Page    int `json:"page"`
	Items   []T `json:"items"`
}

// searchPage is a page of vacancy search results with its nullable extras.
type searchPage struct {
	page[wireVacancy]
	Clusters     any     `json:"clusters"`
	Arguments    any     `json:"arguments"`
	AlternateURL *string `json:"alternate_url"`
	Fixes        any     `json:"fixes"`
	Suggests     any     `json:"suggests"`
}

type blacklistPage[T any] struct {
	page[T]
	LimitReached bool `json:"limit_reached"`
}

type wireHiddenEmployer struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	URL           string  `json:"url"`
	AlternateURL  string  `json:"alternate_url"`
	VacanciesURL  string  `json:"vacancies_url"`
	LogoURLs      any     `json:"logo_urls"`
	OpenVacancies float64 `json:"open_vacancies"`
}

func strPtr(s string) *string { return &s }

// vacancyWire renders v in search form for userID.
func (s *Sandbox) vacancyWire(base string, v *Vacancy, userID string) wireVacancy {
	st := s.st
	w := wireVacancy{
		ID:                      v.ID,
		Name:                    v.Name,
		HasTest:                 v.HasTest,
		ResponseLetterRequired:  v.ResponseLetterRequired,
		Area:                    wireAreaRef{ID: v.AreaID, Name: s.areas.name(v.AreaID), URL: base + "/areas/" + v.AreaID},
		Type:                    idName{ID: v.Type, Name: s.dicts.name("vacancy_type", v.Type)},
		PublishedAt:             hhTime(v.PublishedAt),
		CreatedAt:               hhTime(v.PublishedAt),
		Archived:                v.Archived,
		ApplyAlternateURL:       base + "/applicant/vacancy_response?vacancyId=" + v.ID,
		URL:                     base + "/vacancies/" + v.ID,
		AlternateURL:            base + "/vacancy/" + v.ID,
		Relations:               st.relationsOf(userID, v),
		ShowContacts:            false,
		WorkingDays:             []idName{},
		WorkingTimeIntervals:    []idName{},
		WorkingTimeModes:        []idName{},
		FlyInFlyOutDuration:     []idName{},
		WorkingHours:            []idName{},
		WorkScheduleByDays:      []idName{},
		ProfessionalRoles:       []idName{{ID: v.ProfessionalRole, Name: roleNames[v.ProfessionalRole]}},
		AcceptIncompleteResumes: v.AcceptIncompleteResumes,
		Internship:              v.Employment == "probation",
		Snippet:                 wireSnippet{Requirement: strPtr(v.Requirement), Responsibility: strPtr(v.Responsibility)},
	}
	if v.Type == "direct" && v.ResponseURL != "" {
		w.ResponseURL = strPtr(v.ResponseURL)
	}
	if v.HasSalary() {
		w.Salary = &wireSalary{From: v.SalaryFrom, To: v.SalaryTo, Currency: v.Currency, Gross: v.Gross}
		w.SalaryRange = &wireSalaryRange{From: v.SalaryFrom, To: v.SalaryTo, Currency: v.Currency, Gross: v.Gross,
			Mode:      idName{ID: "MONTH", Name: "За месяц"},
			Frequency: &idName{ID: "MONTHLY", Name: "Раз в месяц"}}
	}
	if v.Schedule != "" {
		w.Schedule = &idName{ID: v.Schedule, Name: s.dicts.name("schedule", v.Schedule)}
		format := "ON_SITE"
		if v.Schedule == "remote" {
			format = "REMOTE"
		}
		w.WorkFormat = []idName{{ID: format, Name: s.dicts.name("work_format", format)}}
	} else {
		w.WorkFormat = []idName{}
	}
	if v.Experience != "" {
		w.Experience = &idName{ID: v.Experience, Name: s.dicts.name("experience", v.Experience)}
	}
	if v.Employment != "" {
		w.Employment = &idName{ID: v.Employment, Name: s.dicts.name("employment", v.Employment)}
		form := map[string]string{"full": "FULL", "part": "PART", "project": "PROJECT", "probation": "FULL", "volunteer": "PART"}[v.Employment]
		w.EmploymentForm = &idName{ID: form, Name: s.dicts.name("employment_form", form)}
	}
	w.Employer = wireEmployer{Name: v.EmployerName}
	if v.EmployerID != "" {
		e := st.employers[v.EmployerID]
		w.Employer.ID = strPtr(v.EmployerID)
		w.Employer.URL = strPtr(base + "/employers/" + v.EmployerID)
		w.Employer.AlternateURL = strPtr(base + "/employer/" + v.EmployerID)
		w.Employer.VacanciesURL = strPtr(base + "/vacancies?employer_id=" + v.EmployerID)
		if e != nil {
			w.Employer.Name = e.Name
			w.Employer.Trusted = e.Trusted
			w.Employer.AccreditedITEmployer = e.AccreditedIT
		}
	}
	return w
}

// fullVacancyWire renders v in the full form of GET /vacancies/{id}.
func (s *Sandbox) fullVacancyWire(base string, v *Vacancy, userID string) wireFullVacancy {
	w := wireFullVacancy{
		wireVacancy:        s.vacancyWire(base, v, userID),
		Description:        v.Description,
		KeySkills:          []wireKeySkill{},
		Approved:           true,
		AllowMessages:      true,
		BillingType:        idName{ID: "standard", Name: "Стандарт"},
		DriverLicenseTypes: []idName{},
		Languages:          []any{},
		InitialCreatedAt:   hhTime(v.PublishedAt),
		NegotiationsURL:    nil,
		SuitableResumesURL: strPtr(base + "/vacancies/" + v.ID + "/suitable_resumes"),
	}
	for _, k := range v.KeySkills {
		w.KeySkills = append(w.KeySkills, wireKeySkill{Name: k})
	}
	if v.HasTest {
		w.Test = &wireTest{ID: strPtr(testID(v.ID)), Required: v.TestRequired}
	}
	if w.Schedule == nil {
		w.Schedule = &idName{ID: "fullDay", Name: s.dicts.name("schedule", "fullDay")}
	}
	hidden := false
	if v.EmployerID != "" {
		_, hidden = s.st.hiddenEmployers[userID][v.EmployerID]
	}
	w.Employer.Blacklisted = &hidden
	return w
}

func testID(vacancyID string) string {
	n := 0
	for _, c := range vacancyID {
		n = (n*31 + int(c)) % 9000000
	}
	return strconv.Itoa(1000000 + n)
}
