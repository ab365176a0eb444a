package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRenderTemplate: parsing and rendering never panic; a parse error is a
// *TemplateError in both languages; a letter is trimmed, within hh's limit
// unless the error says otherwise, and never carries highlight markup; and a
// template of literal text (braces escaped) renders to that text, trimmed.
func FuzzRenderTemplate(f *testing.F) {
	f.Add("Здравствуйте! Меня заинтересовала вакансия {vacancy} в {company}.", "<highlighttext>Go</highlighttext>")
	f.Add("{{literal}} }}{{ {salary}", "от 150 000 ₽")
	f.Add("<highlight{vacancy}text>", "<highlighttext")
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		p, err := ParseTemplate(tmpl)
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) || te.Message("ru") == te.Key || te.Message("en") == te.Key || te.Code == "" {
				t.Fatalf("ParseTemplate(%q) = %v, want a *TemplateError with both messages", tmpl, err)
			}
		} else {
			d := LetterData{value, value, value, value, value, value, value, value}
			checkLetter(t, p, d)
			checkLetter(t, p, LetterData{Vacancy: value})
		}

		// Literal text round-trips through escaping.
		lit := EscapeTemplate(tmpl)
		if utf8.RuneCountInString(lit) > MaxTemplateRunes {
			return
		}
		p, err = ParseTemplate(lit)
		if err != nil {
			t.Fatalf("escaped literal %q does not parse: %v", lit, err)
		}
		got, err := p.Render(LetterData{Vacancy: value})
		if strings.Contains(strings.ToLower(tmpl), "highlighttext") {
			return // markup is removed on purpose
		}
		want := strings.TrimSpace(tmpl)
		switch {
		case want == "":
			if !errors.Is(err, ErrLetterEmpty) {
				t.Fatalf("blank literal %q: err %v, want ErrLetterEmpty", tmpl, err)
			}
		case utf8.RuneCountInString(want) > MaxLetterRunes:
			if !errors.Is(err, ErrLetterTooLong) || got != want {
				t.Fatalf("long literal: err %v", err)
			}
		case err != nil || got != want:
			t.Fatalf("literal %q renders %q, %v; want %q", tmpl, got, err, want)
		}
	})
}

func checkLetter(t *testing.T, p *Template, d LetterData) {
	t.Helper()
	got, err := p.Render(d)
	if strings.Contains(got, "<highlighttext") || strings.Contains(got, "</highlighttext") {
		t.Fatalf("letter carries highlight markup: %q", got)
	}
	if got != strings.TrimSpace(got) {
		t.Fatalf("letter is not trimmed: %q", got)
	}
	switch {
	case err == nil:
		if got == "" || utf8.RuneCountInString(got) > MaxLetterRunes {
			t.Fatalf("letter of %d runes accepted", utf8.RuneCountInString(got))
		}
	case errors.Is(err, ErrLetterEmpty):
		if got != "" {
			t.Fatalf("empty-letter error with text %q", got)
		}
	case errors.Is(err, ErrLetterTooLong):
		if utf8.RuneCountInString(got) <= MaxLetterRunes {
			t.Fatalf("too-long error for %d runes", utf8.RuneCountInString(got))
		}
	default:
		t.Fatalf("Render: unexpected error %v", err)
	}
}

// FuzzParseExcludeWords: parsing never panics, gives no blank, untrimmed or
// separator-carrying words and no duplicates, and Format→Parse gives the same
// words back.
func FuzzParseExcludeWords(f *testing.F) {
	f.Add("senior, lead\n1С")
	f.Add("удалёнка, Удаленка")
	f.Fuzz(func(t *testing.T, s string) {
		words := ParseExcludeWords(s)
		seen := map[string]bool{}
		for _, w := range words {
			if w == "" || w != strings.TrimSpace(w) || strings.ContainsAny(w, ",\n\r") {
				t.Fatalf("ParseExcludeWords(%q) gave the word %q", s, w)
			}
			if k := foldString(w); seen[k] {
				t.Fatalf("ParseExcludeWords(%q) gave %q twice", s, w)
			} else {
				seen[k] = true
			}
		}
		if again := ParseExcludeWords(FormatExcludeWords(words)); !slices.Equal(again, words) {
			t.Fatalf("Parse(Format(%q)) = %q", words, again)
		}
	})
}
