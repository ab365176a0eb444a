package hhsandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// vacancyPage is what the hh.ru vacancy page (a vacancy's alternate_url)
// shows a person in the sandbox.
type vacancyPage struct {
	ID, Name, Employer, Area, Salary, ResponseURL, Published string
	Archived, LetterRequired, TestRequired                   bool
	Paragraphs                                               []string
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// plainParagraphs turns the description's HTML into text paragraphs; the
// page never renders stored HTML, which the admin API lets anyone set.
func plainParagraphs(html string) []string {
	html = strings.NewReplacer("</p>", "\n", "</li>", "\n", "<br>", "\n", "<br/>", "\n").Replace(html)
	var out []string
	for _, line := range strings.Split(tagRe.ReplaceAllString(html, ""), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func salaryText(v *Vacancy) string {
	if !v.HasSalary() {
		return "Уровень дохода не указан"
	}
	var parts []string
	if v.SalaryFrom != nil {
		parts = append(parts, fmt.Sprintf("от %d", *v.SalaryFrom))
	}
	if v.SalaryTo != nil {
		parts = append(parts, fmt.Sprintf("до %d", *v.SalaryTo))
	}
	tax := "на руки"
	if v.Gross {
		tax = "до вычета налогов"
	}
	return strings.Join(parts, " ") + " " + v.Currency + " " + tax
}

// handleVacancyPage serves GET /vacancy/{id}, the alternate_url of a vacancy.
func (s *Sandbox) handleVacancyPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	v := s.st.vacancies[r.PathValue("id")]
	var p vacancyPage
	if v != nil {
		p = vacancyPage{ID: v.ID, Name: v.Name, Employer: v.EmployerName, Area: s.areas.name(v.AreaID),
			Salary: salaryText(v), Archived: v.Archived, LetterRequired: v.ResponseLetterRequired,
			TestRequired: v.HasTest && v.TestRequired, Published: hhTime(v.PublishedAt),
			Paragraphs: plainParagraphs(v.Description)}
		if v.Type == "direct" {
			p.ResponseURL = v.ResponseURL
		}
	}
	s.mu.Unlock()
	if v == nil {
		s.render(w, http.StatusNotFound, "error", pageData{Title: "Вакансия не найдена", Error: "Вакансия не найдена."})
		return
	}
	s.render(w, http.StatusOK, "vacancy", pageData{Title: p.Name, Vacancy: &p})
}

// handleApplyPage serves apply_alternate_url by showing the vacancy. The
// Location stays relative for the browser to resolve: http.Redirect would
// resolve it against the path the sandbox sees, which lacks the prefix it is
// mounted under (/sandbox in the web app).
func (s *Sandbox) handleApplyPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Location", "../vacancy/"+url.PathEscape(r.URL.Query().Get("vacancyId")))
	w.WriteHeader(http.StatusFound)
}
