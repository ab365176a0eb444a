package web

import (
	"errors"
	"html/template"
	"slices"
	"time"

	"github.com/otklik/otklik/locale"
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
		"money":     func(text string) string { return locale.SalaryText(lang, text) },
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
