package web

import (
	"errors"
	"html/template"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/otklik/otklik/rules"
)

// templateFuncs are the functions every template may call, bound to lang.
func templateFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string { return translate(lang, key, args...) },
		// highlight renders an hh snippet: escaped, with <highlighttext> as <mark>.
		"highlight": highlight,
		"reason":    func(code string) string { return rules.Reason(code).Text(lang) },
		"failure":   func(reason, message string) failure { return explainFailure(reason, message, lang) },
		"money":     func(text string) string { return salaryIn(text, lang) },
		"datetime":  formatDateTime,
		"date":      formatDate,
		"has":       func(list []string, v string) bool { return slices.Contains(list, v) },
		"inc":       func(i int) int { return i + 1 },
		"list":      func(xs ...string) []string { return xs },
		"dict":      dict,
		"optionsHave": func(opts []option, v string) bool {
			return slices.ContainsFunc(opts, func(o option) bool { return o.Value == v })
		},
	}
}

// dict builds a map from key, value pairs, to pass several values to a
// partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// formatDateTime shows t in loc as "02.01.2006 15:04"; the zero time is "".
func formatDateTime(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006 15:04")
}

// formatDate shows t in loc as "02.01.2006"; the zero time is "".
func formatDate(loc *time.Location, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006")
}

// salaryDigits matches a group separator between digits in a salary as the
// ledger keeps it (written in Russian: "от 200 000 ₽").
var salaryDigits = regexp.MustCompile(`(\d) (\d{3})`)

// salaryIn renders a salary text kept in Russian ("от 200 000 до 300 000 ₽")
// in lang: English words and comma-grouped digits for "en" ("from 200,000
// to 300,000 ₽"), as rules.FormatSalary writes them; unchanged otherwise.
func salaryIn(text, lang string) string {
	if lang != "en" || text == "" {
		return text
	}
	for salaryDigits.MatchString(text) {
		text = salaryDigits.ReplaceAllString(text, "$1,$2")
	}
	switch {
	case strings.HasPrefix(text, "от "):
		text = "from " + strings.TrimPrefix(text, "от ")
	case strings.HasPrefix(text, "до "):
		text = "up to " + strings.TrimPrefix(text, "до ")
	}
	return strings.Replace(text, " до ", " to ", 1)
}
