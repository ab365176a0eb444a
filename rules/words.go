package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otklik/otklik/hh"
)

// ParseExcludeWords reads the exclude_words form field: words or phrases
// separated by commas or line breaks. Each is trimmed and its inner runs of
// white space collapsed to one space (so "senior   lead" still matches
// "Senior Lead"); empty entries are dropped, and duplicates, compared
// case-insensitively with ё folded to е, keep their first spelling.
// The result is nil when there are no words.
func ParseExcludeWords(s string) []string {
	var words []string
	seen := make(map[string]struct{})
	for part := range strings.FieldsFuncSeq(s, isWordSeparator) {
		w := strings.Join(strings.Fields(part), " ")
		if w == "" {
			continue
		}
		key := foldString(w)
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		words = append(words, w)
	}
	return words
}

// FormatExcludeWords writes words back in the form ParseExcludeWords reads,
// so Parse(Format(words)) gives words back for any parsed list.
func FormatExcludeWords(words []string) string {
	return strings.Join(words, ", ")
}

func isWordSeparator(r rune) bool {
	return r == ',' || r == '\n' || r == '\r'
}

// foldRune maps a rune to the form exclude words are compared in: lower
// case, with ё read as е (Russian texts use them interchangeably).
func foldRune(r rune) rune {
	// Fast paths for the alphabets of nearly every title.
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case 'а' <= r && r <= 'я' && r != 'ё':
		return r
	case 'А' <= r && r <= 'Я':
		return r + ('а' - 'А')
	case r == 'ё' || r == 'Ё':
		return 'е'
	}
	r = unicode.ToLower(r)
	if r == 'ё' {
		return 'е'
	}
	return r
}

func foldString(s string) string {
	return strings.Map(foldRune, s)
}

// containsFold reports whether needle occurs in haystack, comparing folded
// runes. It allocates nothing: Decide calls it for every word of a rule and
// every vacancy of a search.
func containsFold(haystack, needle string) bool {
	if needle == "" {
		return true
	}
	first, n := utf8.DecodeRuneInString(needle)
	first = foldRune(first)
	for i := 0; i < len(haystack); {
		r, size := utf8.DecodeRuneInString(haystack[i:])
		if (r == first || foldRune(r) == first) && hasPrefixFold(haystack[i+size:], needle[n:]) {
			return true
		}
		i += size
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		a, na := utf8.DecodeRuneInString(s)
		b, nb := utf8.DecodeRuneInString(prefix)
		if a != b && foldRune(a) != foldRune(b) {
			return false
		}
		s, prefix = s[na:], prefix[nb:]
	}
	return true
}

// FieldExcludeWordsInDescription is the rule form's checkbox for
// Rule.ExcludeWordsInDescription.
const FieldExcludeWordsInDescription = "exclude_words_in_description"

// vacancyDescription is the text of v that exclude words are matched in
// besides the title: the full description when hh sent it, else the
// search's excerpts (requirements and responsibilities).
func vacancyDescription(v *hh.Vacancy) string {
	if v.Description != "" {
		return v.Description
	}
	var parts []string
	for _, p := range []*string{v.Snippet.Requirement, v.Snippet.Responsibility} {
		if p != nil {
			parts = append(parts, *p)
		}
	}
	return strings.Join(parts, "\n")
}

// excludedWordInDescription is excludedWord over v's description, when the
// rule asks for it.
func excludedWordInDescription(v *hh.Vacancy, r *Rule) (string, bool) {
	if !r.ExcludeWordsInDescription {
		return "", false
	}
	return excludedWord(vacancyDescription(v), r.ExcludeWords)
}
