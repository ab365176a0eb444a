package hhsandbox

import (
	"net/http"
	"slices"
)

type wireCounters struct {
	NewResumeViews     int `json:"new_resume_views"`
	ResumesCount       int `json:"resumes_count"`
	UnreadNegotiations int `json:"unread_negotiations"`
}

// wireMe is GET /me for a user token; the employer fields are the
// deprecated nulls hh sends applicants.
type wireMe struct {
	AuthType              *string       `json:"auth_type"`
	IsAdmin               bool          `json:"is_admin"`
	IsApplicant           bool          `json:"is_applicant"`
	IsApplication         bool          `json:"is_application"`
	IsEmployer            bool          `json:"is_employer"`
	IsEmployerIntegration bool          `json:"is_employer_integration"`
	ID                    string        `json:"id,omitempty"`
	FirstName             string        `json:"first_name,omitempty"`
	LastName              string        `json:"last_name,omitempty"`
	MiddleName            *string       `json:"middle_name,omitempty"`
	Email                 *string       `json:"email,omitempty"`
	Phone                 *string       `json:"phone,omitempty"`
	IsInSearch            *bool         `json:"is_in_search,omitempty"`
	ResumesURL            string        `json:"resumes_url,omitempty"`
	NegotiationsURL       string        `json:"negotiations_url,omitempty"`
	Counters              *wireCounters `json:"counters,omitempty"`
	ProfileVideos         *struct {
		Items []any `json:"items"`
	} `json:"profile_videos,omitempty"`
	Employer        map[string]string `json:"employer,omitempty"`
	Manager         any               `json:"manager,omitempty"`
	PersonalManager any               `json:"personal_manager,omitempty"`
}

// handleMe serves GET /me: the full applicant profile, the employer's
// profile, or only the flags for an application token.
func (s *Sandbox) handleMe(w http.ResponseWriter, r *http.Request, c caller) {
	if c.app {
		writeJSON(w, http.StatusOK, wireMe{AuthType: strPtr("application"), IsApplication: true})
		return
	}
	u := c.user
	base := s.baseURL(r)
	me := wireMe{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName,
		Email: strPtr(u.Email), Phone: strPtr(u.Phone)}
	if u.MiddleName != "" {
		me.MiddleName = strPtr(u.MiddleName)
	}
	if !u.Applicant {
		me.AuthType = strPtr("employer")
		me.IsEmployer = true
		me.Employer = map[string]string{"id": "1455", "name": "ООО «АльфаСофт»", "manager_id": "7700" + u.ID[4:]}
		writeJSON(w, http.StatusOK, me)
		return
	}
	s.mu.Lock()
	unread := 0
	for _, n := range s.st.negotiations {
		if n.UserID == u.ID && n.UpdatedAt.After(n.CreatedAt) {
			unread++
		}
	}
	s.mu.Unlock()
	inSearch := true
	me.AuthType = strPtr("applicant")
	me.IsApplicant = true
	me.IsInSearch = &inSearch
	me.ResumesURL = base + "/resumes/mine"
	me.NegotiationsURL = base + "/negotiations"
	me.Counters = &wireCounters{NewResumeViews: 2, ResumesCount: len(u.Resumes), UnreadNegotiations: unread}
	me.ProfileVideos = &struct {
		Items []any `json:"items"`
	}{Items: []any{}}
	writeJSON(w, http.StatusOK, me)
}

type wireDownloadURL struct {
	URL string `json:"url"`
}

type wireDownload struct {
	PDF wireDownloadURL `json:"pdf"`
	RTF wireDownloadURL `json:"rtf"`
}

type wireResumeSalary struct {
	Amount   int    `json:"amount"`
	Currency string `json:"currency"`
}

type wireContact struct {
	Type         idName `json:"type"`
	Kind         string `json:"kind"`
	ContactValue string `json:"contact_value"`
	Value        string `json:"value"`
	Preferred    bool   `json:"preferred"`
	Comment      any    `json:"comment"`
	Verified     bool   `json:"verified"`
}

// wireResume is an item of GET /resumes/mine.
type wireResume struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status idName `json:"status"`
	Access struct {
		Type idName `json:"type"`
	} `json:"access"`
	Blocked            bool              `json:"blocked"`
	Finished           bool              `json:"finished"`
	CanPublishOrUpdate bool              `json:"can_publish_or_update"`
	NextPublishAt      *string           `json:"next_publish_at"`
	CreatedAt          string            `json:"created_at"`
	UpdatedAt          string            `json:"updated_at"`
	Created            string            `json:"created"`
	Updated            string            `json:"updated"`
	AlternateURL       string            `json:"alternate_url"`
	URL                string            `json:"url"`
	Area               *wireAreaRef      `json:"area"`
	Salary             *wireResumeSalary `json:"salary"`
	FirstName          string            `json:"first_name"`
	LastName           string            `json:"last_name"`
	MiddleName         *string           `json:"middle_name"`
	Age                *int              `json:"age"`
	Photo              any               `json:"photo"`
	Platform           struct {
		ID string `json:"id"`
	} `json:"platform"`
	Actions struct {
		Download wireDownload `json:"download"`
	} `json:"actions"`
	Download    wireDownload  `json:"download"`
	Certificate []any         `json:"certificate"`
	Contact     []wireContact `json:"contact"`
	Education   struct {
		Level   idName `json:"level"`
		Primary []any  `json:"primary"`
	} `json:"education"`
	Experience      []any `json:"experience"`
	TotalExperience *struct {
		Months int `json:"months"`
	} `json:"total_experience"`
	HiddenFields     []idName `json:"hidden_fields"`
	Marked           bool     `json:"marked"`
	RealID           string   `json:"real_id"`
	PaidServices     []any    `json:"paid_services"`
	TotalViews       int      `json:"total_views"`
	NewViews         int      `json:"new_views"`
	ViewsURL         string   `json:"views_url"`
	Visible          bool     `json:"visible"`
	Tags             []any    `json:"tags"`
	EmploymentForm   []idName `json:"employment_form"`
	WorkFormat       []idName `json:"work_format"`
	SimilarVacancies struct {
		URL      string `json:"url"`
		Counters struct {
			Total int `json:"total"`
		} `json:"counters"`
	} `json:"similar_vacancies"`
}

// handleMyResumes serves GET /resumes/mine.
func (s *Sandbox) handleMyResumes(w http.ResponseWriter, r *http.Request, c caller) {
	base := s.baseURL(r)
	u := c.user
	s.mu.Lock()
	now := s.nowLocked()
	total := 0
	for _, id := range s.st.order {
		if v := s.st.vacancies[id]; !v.Archived && !v.PublishedAt.After(now) {
			total++
		}
	}
	// Raising changes a resume: read the list under the lock.
	type raise struct {
		can  bool
		next *string
	}
	resumes := slices.Clone(u.Resumes)
	raises := make([]raise, len(resumes))
	for i := range u.Resumes {
		raises[i].can, raises[i].next = raiseStateLocked(&u.Resumes[i], now)
	}
	s.mu.Unlock()
	out := page[wireResume]{Found: len(resumes), Pages: 1, PerPage: 20, Items: []wireResume{}}
	for i, res := range resumes {
		out.Items = append(out.Items, s.wireResumeOf(base, u, res, raises[i].can, raises[i].next, total))
	}
	writeJSON(w, http.StatusOK, out)
}

// wireResumeOf is res as hh lists it: total is the count of its similar
// vacancies, can and next what hh says of raising it.
func (s *Sandbox) wireResumeOf(base string, u *User, res Resume, can bool, next *string, total int) wireResume {
	wr := wireResume{
		ID: res.ID, Title: res.Title,
		CreatedAt: hhTime(res.CreatedAt), UpdatedAt: hhTime(res.UpdatedAt),
		Created: hhTime(res.CreatedAt), Updated: hhTime(res.UpdatedAt),
		AlternateURL: base + "/resume/" + res.ID,
		URL:          base + "/resumes/" + res.ID,
		Area:         &wireAreaRef{ID: res.AreaID, Name: s.areas.name(res.AreaID), URL: base + "/areas/" + res.AreaID},
		FirstName:    u.FirstName, LastName: u.LastName,
		Finished:     true,
		Certificate:  []any{},
		Contact:      []wireContact{{Type: idName{ID: "email", Name: "Эл. почта"}, Value: u.Email, Preferred: true, Verified: true}},
		Experience:   []any{},
		HiddenFields: []idName{},
		RealID:       res.ID,
		PaidServices: []any{},
		TotalViews:   7, NewViews: 1,
		ViewsURL:       base + "/resumes/" + res.ID + "/views",
		Visible:        res.Published,
		Tags:           []any{},
		EmploymentForm: []idName{{ID: "FULL", Name: "Полная"}},
		WorkFormat:     []idName{{ID: "REMOTE", Name: "Удалённо"}},
	}
	if u.MiddleName != "" {
		wr.MiddleName = strPtr(u.MiddleName)
	}
	status := "not_published"
	wr.Access.Type = idName{ID: "no_one", Name: "не видно никому"}
	wr.CanPublishOrUpdate, wr.NextPublishAt = can, next
	switch {
	case res.Blocked:
		status = "blocked"
		wr.Blocked = true
	case res.Published:
		status = "published"
		wr.Access.Type = idName{ID: "clients", Name: "видно всем компаниям, зарегистрированным на HeadHunter"}
	}
	wr.Status = idName{ID: status, Name: s.dicts.name("resume_status", status)}
	if res.Salary > 0 {
		wr.Salary = &wireResumeSalary{Amount: res.Salary, Currency: "RUR"}
	}
	wr.Platform.ID = "headhunter"
	dl := wireDownload{PDF: wireDownloadURL{base + "/resumes/" + res.ID + "/download.pdf"}, RTF: wireDownloadURL{base + "/resumes/" + res.ID + "/download.rtf"}}
	wr.Download, wr.Actions.Download = dl, dl
	wr.Education.Level = idName{ID: "higher", Name: "Высшее"}
	wr.Education.Primary = []any{}
	wr.SimilarVacancies.URL = base + "/resumes/" + res.ID + "/similar_vacancies"
	wr.SimilarVacancies.Counters.Total = total
	return wr
}

// wireExperience is one place of work in GET /resumes/{id}.
type wireExperience struct {
	Company     *string  `json:"company"`
	End         *string  `json:"end"`
	Industries  []idName `json:"industries"`
	Position    string   `json:"position"`
	Start       string   `json:"start"`
	Description *string  `json:"description"`
}

// wireResumeFull is GET /resumes/{id}: the list item plus skills and
// experience.
type wireResumeFull struct {
	wireResume
	Skills                *string          `json:"skills"`
	SkillSet              []string         `json:"skill_set"`
	Experience            []wireExperience `json:"experience"`
	BusinessTripReadiness idName           `json:"business_trip_readiness"`
	Citizenship           []wireAreaRef    `json:"citizenship"`
	DriverLicenseTypes    []any            `json:"driver_license_types"`
	Employments           []idName         `json:"employments"`
	Language              []any            `json:"language"`
	ModerationNote        []any            `json:"moderation_note"`
	Portfolio             []any            `json:"portfolio"`
	Progress              struct {
		Percentage  int      `json:"percentage"`
		Mandatory   []idName `json:"mandatory"`
		Recommended []idName `json:"recommended"`
	} `json:"progress"`
	PublishURL     string `json:"publish_url"`
	Recommendation []any  `json:"recommendation"`
	Relocation     struct {
		Type idName `json:"type"`
	} `json:"relocation"`
	ResumeLocale idName        `json:"resume_locale"`
	Schedule     idName        `json:"schedule"`
	Schedules    []idName      `json:"schedules"`
	Site         []any         `json:"site"`
	TravelTime   idName        `json:"travel_time"`
	WorkTicket   []wireAreaRef `json:"work_ticket"`
}

// handleResume serves GET /resumes/{id} to the resume's owner.
func (s *Sandbox) handleResume(w http.ResponseWriter, r *http.Request, c caller) {
	id := r.PathValue("id")
	base := s.baseURL(r)
	s.mu.Lock()
	res := s.st.resumes[id]
	if res == nil || s.st.owner[id] != c.user.ID {
		s.mu.Unlock()
		s.fail(w, http.StatusNotFound, "not_found", "")
		return
	}
	now := s.nowLocked()
	can, next := raiseStateLocked(res, now)
	cp := *res
	s.mu.Unlock()
	out := wireResumeFull{wireResume: s.wireResumeOf(base, c.user, cp, can, next, 0),
		BusinessTripReadiness: idName{ID: "ready", Name: "готов к командировкам"},
		Citizenship:           []wireAreaRef{{ID: "113", Name: "Россия", URL: base + "/areas/113"}},
		DriverLicenseTypes:    []any{}, Language: []any{}, ModerationNote: []any{}, Portfolio: []any{},
		Employments:    []idName{{ID: "full", Name: "Полная занятость"}},
		PublishURL:     base + "/resumes/" + cp.ID + "/publish",
		Recommendation: []any{}, Site: []any{},
		ResumeLocale: idName{ID: "RU", Name: "Русский"},
		Schedule:     idName{ID: "remote", Name: "Удаленная работа"},
		Schedules:    []idName{{ID: "remote", Name: "Удаленная работа"}},
		TravelTime:   idName{ID: "any", Name: "Не имеет значения"},
		WorkTicket:   []wireAreaRef{{ID: "113", Name: "Россия", URL: base + "/areas/113"}},
	}
	out.Progress.Percentage, out.Progress.Mandatory, out.Progress.Recommended = 100, []idName{}, []idName{}
	out.Relocation.Type = idName{ID: "no_relocation", Name: "не могу переехать"}
	skills, set, jobs := cp.Skills, cp.SkillSet, cp.Experience
	if len(set) == 0 && skills == "" && len(jobs) == 0 {
		skills, set, jobs = defaultResumeDetails(cp)
	}
	if skills != "" {
		out.Skills = strPtr(skills)
	}
	out.SkillSet = append([]string{}, set...)
	out.Experience = []wireExperience{}
	for _, j := range jobs {
		we := wireExperience{Position: j.Position, Start: j.Start, Industries: []idName{}}
		if j.Company != "" {
			we.Company = strPtr(j.Company)
		}
		if j.End != "" {
			we.End = strPtr(j.End)
		}
		if j.Description != "" {
			we.Description = strPtr(j.Description)
		}
		out.Experience = append(out.Experience, we)
	}
	writeJSON(w, http.StatusOK, out)
}

// defaultResumeDetails is what a seeded resume says of its person when
// nothing was set: one place of work in the resume's own title.
func defaultResumeDetails(res Resume) (skills string, set []string, jobs []Experience) {
	return "Пишу надёжный код и довожу задачи до продакшена.",
		[]string{"Git", "SQL", "Linux"},
		[]Experience{{Company: "ООО «Ромашка»", Position: res.Title, Start: "2019-03-01",
			Description: "Разработка и сопровождение внутренних сервисов."}}
}
