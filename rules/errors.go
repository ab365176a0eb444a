package rules

import (
	"strings"

	"github.com/otklik/otklik/locale"
)

// FieldError is what is wrong with one form field: the field's name
// (FieldName, FieldSalary...), a stable code (CodeRequired...), and the
// locale key with the values its words need.
type FieldError struct {
	Field string
	Code  string
	Key   string
	Args  []any
}

// Message is the error in words in lang.
func (e FieldError) Message(lang string) string {
	return locale.Text(lang, e.Key, e.Args...)
}

// Errors is a rule's validation result, at most one error per field, in form
// order. An empty Errors means the rule is valid.
type Errors []FieldError

// Has reports whether field has an error.
func (es Errors) Has(field string) bool {
	_, ok := es.Get(field)
	return ok
}

// Get returns field's error.
func (es Errors) Get(field string) (FieldError, bool) {
	for _, e := range es {
		if e.Field == field {
			return e, true
		}
	}
	return FieldError{}, false
}

// Message is field's error text in lang, or "" when the field is fine.
func (es Errors) Message(field, lang string) string {
	e, _ := es.Get(field)
	return e.Message(lang)
}

// Messages maps every field with an error to its text in lang, for a form
// template.
func (es Errors) Messages(lang string) map[string]string {
	m := make(map[string]string, len(es))
	for _, e := range es {
		m[e.Field] = e.Message(lang)
	}
	return m
}

// Error lists the errors in English, so Errors can travel as an error.
func (es Errors) Error() string {
	var b strings.Builder
	b.WriteString("rules: invalid rule")
	for i, e := range es {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(e.Field + ": " + e.Message("en"))
	}
	return b.String()
}

// Err is es as an error, nil when there are none. Use it rather than
// assigning Errors to an error variable, which would never be nil.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// add records an error unless the field has one already: the first problem
// found is the one to fix first. key and args are its words (locale).
func (es *Errors) add(field, code, key string, args ...any) {
	if es.Has(field) {
		return
	}
	*es = append(*es, FieldError{Field: field, Code: code, Key: key, Args: args})
}
