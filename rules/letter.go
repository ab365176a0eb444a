package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/otklik/otklik/hh"
)

// MaxLetterRunes is hh's limit on a cover letter (POST /negotiations message).
const MaxLetterRunes = 10000

// Letter errors. Render and CheckLetter wrap them with the numbers.
var (
	// ErrLetterTooLong: the letter exceeds MaxLetterRunes. Letters are never
	// cut silently; the person shortens them.
	ErrLetterTooLong = errors.New("rules: letter is longer than hh's 10000 characters")
	// ErrLetterEmpty: nothing is left after trimming; hh refuses empty letters.
	ErrLetterEmpty = errors.New("rules: letter is empty")
)

// LetterData holds the values placeholders are replaced with.
type LetterData struct {
	Vacancy    string
	Company    string
	FirstName  string
	LastName   string
	Resume     string
	Salary     string
	Area       string
	VacancyURL string
}

// LetterDataFor builds the values for a letter to vacancy v from the person's
// name on hh and the title of the resume that applies. Markup hh puts into
// search texts is stripped.
func LetterDataFor(v *hh.Vacancy, firstName, lastName, resumeTitle string) LetterData {
	url := v.AlternateURL
	if url == "" && v.ID != "" {
		url = "https://hh.ru/vacancy/" + v.ID
	}
	return LetterData{
		Vacancy:    cleanValue(v.Name),
		Company:    cleanValue(v.Employer.Name),
		FirstName:  cleanValue(firstName),
		LastName:   cleanValue(lastName),
		Resume:     cleanValue(resumeTitle),
		Salary:     FormatSalary(VacancySalary(v), "ru"),
		Area:       cleanValue(v.Area.Name),
		VacancyURL: strings.TrimSpace(url),
	}
}

func (d *LetterData) value(ph int) string {
	switch placeholderNames[ph] {
	case PlaceholderVacancy:
		return d.Vacancy
	case PlaceholderCompany:
		return d.Company
	case PlaceholderFirstName:
		return d.FirstName
	case PlaceholderLastName:
		return d.LastName
	case PlaceholderResume:
		return d.Resume
	case PlaceholderSalary:
		return d.Salary
	case PlaceholderArea:
		return d.Area
	case PlaceholderVacancyURL:
		return d.VacancyURL
	}
	return ""
}

// Render fills the template in. The letter is trimmed and stripped of any
// markup in the values and of hh's highlight tags anywhere. When it is longer
// than MaxLetterRunes the error wraps ErrLetterTooLong and the full text is
// still returned, so a person can shorten it; when it is empty the error
// wraps ErrLetterEmpty.
func (t *Template) Render(d LetterData) (string, error) {
	n := 0
	for _, p := range t.parts {
		if p.ph < 0 {
			n += len(p.lit)
		} else {
			n += len(d.value(p.ph))
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range t.parts {
		if p.ph < 0 {
			b.WriteString(p.lit)
		} else {
			b.WriteString(cleanValue(d.value(p.ph)))
		}
	}
	return CheckLetter(b.String())
}

// CheckLetter prepares a letter a person wrote or edited (the review queue's
// message) the way Render prepares a rendered one: highlight tags removed,
// trimmed, then refused when empty or over MaxLetterRunes (the text is
// returned with the error).
func CheckLetter(s string) (string, error) {
	s = strings.TrimSpace(removeHighlight(s))
	if s == "" {
		return "", ErrLetterEmpty
	}
	if n := utf8.RuneCountInString(s); n > MaxLetterRunes {
		return s, fmt.Errorf("%w: it has %d", ErrLetterTooLong, n)
	}
	return s, nil
}

// cleanValue strips tags from a value and trims it; it allocates only when
// the value has markup.
func cleanValue(s string) string {
	if strings.IndexByte(s, '<') >= 0 {
		s = StripTags(s)
	}
	return strings.TrimSpace(s)
}

// StripTags removes HTML-like tags (<b>, </highlighttext>, <br/>) from s,
// keeping their text. A '<' that does not open a tag ("salary < 100") stays.
func StripTags(s string) string {
	i := strings.IndexByte(s, '<')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		if end := tagEnd(s); end > 0 {
			s = s[end:]
		} else {
			b.WriteByte('<')
			s = s[1:]
		}
		i = strings.IndexByte(s, '<')
	}
	b.WriteString(s)
	return b.String()
}

// tagEnd returns the length of the tag s starts with, or 0 when s does not
// start with one: '<', an optional '/', an ASCII letter, then anything but
// '<' up to '>'.
func tagEnd(s string) int {
	j := 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	if j >= len(s) || !isASCIILetter(s[j]) {
		return 0
	}
	k := strings.IndexAny(s[j:], "<>")
	if k < 0 || s[j+k] != '>' {
		return 0
	}
	return j + k + 1
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// highlightTag is the start of hh's search-highlight tags, lower case.
const highlightTag = "<highlighttext"

// removeHighlight removes every opening or closing highlight tag, however it
// came to be in s, including incomplete ones and ones a removal brings
// together, so the letter never carries them.
func removeHighlight(s string) string {
	for {
		i, n := indexHighlight(s)
		if i < 0 {
			return s
		}
		end := i + n
		if k := strings.IndexAny(s[end:], "<>"); k >= 0 && s[end+k] == '>' {
			end += k + 1
		}
		s = s[:i] + s[end:]
	}
}

// indexHighlight finds "<highlighttext" or "</highlighttext" in s, ignoring
// ASCII case, and returns its position and length.
func indexHighlight(s string) (int, int) {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		rest := s[i+1:]
		if hasPrefixFoldASCII(rest, highlightTag[1:]) {
			return i, len(highlightTag)
		}
		if len(rest) > 0 && rest[0] == '/' && hasPrefixFoldASCII(rest[1:], highlightTag[1:]) {
			return i, len(highlightTag) + 1
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return -1, 0
}

// hasPrefixFoldASCII reports whether s starts with the lower-case ASCII
// prefix, ignoring ASCII case in s.
func hasPrefixFoldASCII(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// ErrLetterChars: the letter holds control characters or is not UTF-8.
var ErrLetterChars = errors.New("rules: letter holds characters that are not text")

// ReviewLetter checks the letter a person sends a review item with, from
// the web or the bot: text only, and, when given or when the employer
// asked for one (required), what CheckLetter accepts. It returns the letter
// to send ("" for none); its error is ErrLetterChars, ErrLetterEmpty or
// ErrLetterTooLong.
func ReviewLetter(letter string, required bool) (string, error) {
	if !ValidText(letter, true) {
		return letter, ErrLetterChars
	}
	if letter == "" && !required {
		return "", nil
	}
	return CheckLetter(letter)
}
