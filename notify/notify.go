// Package notify renders a user's daily summary (what was sent, what waits
// for them, what was skipped and why, account warnings) as text and HTML, and
// delivers it by e-mail.
package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"sort"
	texttemplate "text/template"
	"time"

	"github.com/otklik/otklik/locale"
)

// Item is one vacancy in a summary.
type Item struct {
	VacancyID string
	Name      string
	Employer  string
	Salary    string
	URL       string // the vacancy on hh, or the employer's site for external ones
	Reason    string // in words, in the summary's language
}

// ReasonCount is how many vacancies were skipped for one reason.
type ReasonCount struct {
	Code  string
	Text  string
	Count int
}

// Warning is an account problem the person must act on.
type Warning struct {
	Kind string // "reconnect", "captcha" or "limit"
	Text string
	URL  string // the captcha page, or where to reconnect
}

// Summary is one user's day.
type Summary struct {
	Day      string // YYYY-MM-DD in the user's time zone
	Lang     string // "ru" or "en"
	BaseURL  string // the instance's public URL, for links back
	Counts   map[string]int
	Applied  []Item
	External []Item
	Review   []Item
	Failed   []Item
	Skipped  []ReasonCount
	Warnings []Warning
	// Raised is how many times hh raised the person's resumes that day.
	Raised int
	// Invitations and Rejections are the outcomes first seen in the
	// period; their URL is the negotiation on hh.
	Invitations []Item
	Rejections  []Item
}

// Total is the number of vacancies handled that day.
func (s *Summary) Total() int {
	n := 0
	for _, c := range s.Counts {
		n += c
	}
	return n
}

// SortSkips orders skip reasons by count, largest first, then by code.
func (s *Summary) SortSkips() {
	sort.Slice(s.Skipped, func(i, j int) bool {
		if s.Skipped[i].Count != s.Skipped[j].Count {
			return s.Skipped[i].Count > s.Skipped[j].Count
		}
		return s.Skipped[i].Code < s.Skipped[j].Code
	})
}

// text is a template's words: locale.Text without arguments.
func text(lang, key string) string { return locale.Text(lang, key) }

//go:embed templates
var templateFS embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"t": text}).ParseFS(templateFS, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Funcs(htmltemplate.FuncMap{"t": text}).ParseFS(templateFS, "templates/*.html"))
)

// Rendered is a summary ready to show or send.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Render renders s in its language.
func Render(s *Summary) (Rendered, error) {
	var text, html bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, "summary.txt", s); err != nil {
		return Rendered{}, fmt.Errorf("notify: render text summary: %w", err)
	}
	if err := htmlTemplates.ExecuteTemplate(&html, "summary.html", s); err != nil {
		return Rendered{}, fmt.Errorf("notify: render html summary: %w", err)
	}
	subject := locale.Text(s.Lang, "mail.subject", s.DayText(), s.Counts["applied"])
	return Rendered{Subject: subject, Text: text.String(), HTML: html.String()}, nil
}

// RaisedText is «Резюме поднято: 3 раза» in the summary's language.
func (s Summary) RaisedText() string {
	key := "mail.raised_many"
	switch n := s.Raised; {
	case s.Lang == "en" && n == 1, s.Lang != "en" && n%10 == 1 && n%100 != 11:
		key = "mail.raised_one"
	case s.Lang != "en" && n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		key = "mail.raised_few"
	}
	return locale.Text(s.Lang, "mail.raised", s.Raised, locale.Text(s.Lang, key))
}

// DayText is Day as people read it everywhere in Otklik: 04.12.2026.
func (s Summary) DayText() string {
	d, err := time.Parse(time.DateOnly, s.Day)
	if err != nil {
		return s.Day
	}
	return d.Format("02.01.2006")
}
