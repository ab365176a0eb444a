package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/otklik/otklik/locale"
)

// MaxTemplateRunes bounds a letter template; it matches hh's limit on the
// letter itself, since a longer template can only render a longer letter.
const MaxTemplateRunes = 10000

// Placeholder names, as written between braces in a template.
const (
	PlaceholderVacancy    = "vacancy"     // the vacancy title
	PlaceholderCompany    = "company"     // the employer's name
	PlaceholderFirstName  = "first_name"  // the person's first name on hh
	PlaceholderLastName   = "last_name"   // the person's last name on hh
	PlaceholderResume     = "resume"      // the resume title
	PlaceholderSalary     = "salary"      // the vacancy's salary, "от 150 000 до 200 000 ₽"
	PlaceholderArea       = "area"        // the vacancy's region
	PlaceholderVacancyURL = "vacancy_url" // the vacancy's page on hh.ru
)

// placeholderNames is indexed by a placeholder's number in a parsed template.
var placeholderNames = [...]string{
	PlaceholderVacancy, PlaceholderCompany, PlaceholderFirstName, PlaceholderLastName,
	PlaceholderResume, PlaceholderSalary, PlaceholderArea, PlaceholderVacancyURL,
}

// Placeholders lists the placeholder names in the order the form shows them.
func Placeholders() []string {
	return placeholderNames[:]
}

// Template is a parsed letter template: literal text and placeholders.
// The zero Template renders an empty letter.
type Template struct {
	src   string
	parts []templatePart
}

// templatePart is literal text (ph < 0) or a placeholder (ph indexes
// placeholderNames).
type templatePart struct {
	lit string
	ph  int
}

// Template error codes (TemplateError.Code), also used as validation codes.
const (
	CodeUnknownPlaceholder = "unknown_placeholder"
	CodeUnclosedBrace      = "unclosed_brace"
	CodeStrayBrace         = "stray_brace"
	CodeTooLong            = "too_long"
)

// TemplateError says what is wrong with a template: a code, the offending
// text as written ("{vakansiya}", "{vacan", "}") and its line, and the
// locale key with the values its words need.
type TemplateError struct {
	Code  string
	Token string
	Line  int // 1-based line of Token; 0 for CodeTooLong
	Key   string
	Args  []any
}

// Message is the error in words in lang.
func (e *TemplateError) Message(lang string) string { return locale.Text(lang, e.Key, e.Args...) }

func (e *TemplateError) Error() string { return "rules: letter template: " + e.Message("en") }

// ParseTemplate parses a letter template. Placeholders are written {name};
// {{ and }} stand for literal braces. An unknown placeholder, a brace left
// open or a stray closing brace is an error naming it, as is a template over
// MaxTemplateRunes.
func ParseTemplate(s string) (*Template, error) {
	if n := utf8.RuneCountInString(s); n > MaxTemplateRunes {
		return nil, &TemplateError{
			Code: CodeTooLong,
			Key:  "template.too_long", Args: []any{locale.Number(MaxTemplateRunes), locale.Number(n)},
		}
	}
	t := &Template{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, templatePart{lit: lit.String(), ph: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '{':
			k := strings.IndexAny(s[i+1:], "{}\n")
			if k < 0 || s[i+1+k] != '}' {
				return nil, unclosedBrace(s, i)
			}
			name := s[i+1 : i+1+k]
			ph := placeholderIndex(name)
			if ph < 0 {
				return nil, unknownPlaceholder(s, i, name)
			}
			flush()
			t.parts = append(t.parts, templatePart{ph: ph})
			i += k + 2
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, strayBrace(s, i)
		default:
			// Copy the run of ordinary bytes up to the next brace at once.
			j := strings.IndexAny(s[i:], "{}")
			if j < 0 {
				j = len(s) - i
			}
			lit.WriteString(s[i : i+j])
			i += j
		}
	}
	flush()
	return t, nil
}

// Source is the template as written.
func (t *Template) Source() string { return t.src }

// EscapeTemplate turns plain text into a template that renders it as it is,
// doubling every brace.
func EscapeTemplate(s string) string {
	if strings.IndexAny(s, "{}") < 0 {
		return s
	}
	return strings.NewReplacer("{", "{{", "}", "}}").Replace(s)
}

func placeholderIndex(name string) int {
	for i, n := range placeholderNames {
		if n == name {
			return i
		}
	}
	return -1
}

func lineOf(s string, i int) int { return 1 + strings.Count(s[:i], "\n") }

// fragment is up to n runes of s from i, stopping at a line break, valid UTF-8.
func fragment(s string, i, n int) string {
	s = s[i:]
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	cut := false
	for k := range s {
		if n == 0 {
			s, cut = s[:k], true
			break
		}
		n--
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}

func placeholderList() string {
	var b strings.Builder
	for i, n := range placeholderNames {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{" + n + "}")
	}
	return b.String()
}

func unknownPlaceholder(s string, i int, name string) *TemplateError {
	tok := "{" + fragment(name, 0, 40) + "}"
	line := lineOf(s, i)
	return &TemplateError{
		Code: CodeUnknownPlaceholder, Token: tok, Line: line,
		Key: "template.unknown_placeholder", Args: []any{tok, line, placeholderList()},
	}
}

func unclosedBrace(s string, i int) *TemplateError {
	tok := fragment(s, i, 20)
	line := lineOf(s, i)
	return &TemplateError{
		Code: CodeUnclosedBrace, Token: tok, Line: line,
		Key: "template.unclosed_brace", Args: []any{locale.Quoted(tok), line},
	}
}

func strayBrace(s string, i int) *TemplateError {
	line := lineOf(s, i)
	return &TemplateError{
		Code: CodeStrayBrace, Token: "}", Line: line,
		Key: "template.stray_brace", Args: []any{line},
	}
}
