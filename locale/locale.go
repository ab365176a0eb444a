// Package locale holds every word a person reads, on screen, in a mail or
// in a message: one catalogue per language (ru.go, the default, and en.go),
// each a map from a key to its text, and the few rules for writing numbers,
// quotes and salaries in each language.
//
// Code below the screens returns keys and values, never sentences: a rule's
// validation says "invalid.salary_too_big" with the limit, and whoever
// renders it asks Text for the words in the person's language.
package locale

import (
	"fmt"
	"strconv"
	"strings"
)

// Default is the language of a person who has not chosen one.
const Default = "ru"

// catalogues are the languages Otklik speaks, by code.
var catalogues = map[string]map[string]string{"ru": ru, "en": en}

// Languages lists the languages Otklik speaks; the first is the default.
func Languages() []string { return []string{"ru", "en"} }

// Valid reports whether lang is a language Otklik speaks.
func Valid(lang string) bool {
	_, ok := catalogues[lang]
	return ok
}

// Text is key's text in lang, falling back to Russian and then to the key
// itself, with args formatted into its placeholders (fmt verbs). A Number or
// a Quoted arg is written as lang writes it.
func Text(lang, key string, args ...any) string {
	s, ok := catalogues[lang][key]
	if !ok {
		s, ok = catalogues[Default][key]
	}
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return s
	}
	written := make([]any, len(args)) // args is the caller's: leave it as it is
	for i, a := range args {
		switch v := a.(type) {
		case Number:
			written[i] = FormatNumber(lang, int64(v))
		case Quoted:
			written[i] = quote(lang, string(v))
		default:
			written[i] = a
		}
	}
	return fmt.Sprintf(s, written...)
}

// Has reports whether lang's catalogue itself has key (no fallback).
func Has(lang, key string) bool {
	_, ok := catalogues[lang][key]
	return ok
}

// Keys lists lang's keys, in no order.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogues[lang]))
	for k := range catalogues[lang] {
		keys = append(keys, k)
	}
	return keys
}

// Printer is Text bound to one language, for code that says several things
// to the same person.
type Printer struct{ Lang string }

// Text is key's text in the printer's language (see Text).
func (p Printer) Text(key string, args ...any) string { return Text(p.Lang, key, args...) }

// Number is an integer argument written with its digits grouped as the
// language groups them: 150 000 in Russian, 150,000 in English. Use it with
// a %s placeholder.
type Number int64

// Quoted is a person's own text quoted as the language quotes it: «text» in
// Russian, "text" (Go-quoted) in English. Use it with a %s placeholder.
type Quoted string

func quote(lang, s string) string {
	if lang == "en" {
		return strconv.Quote(s)
	}
	return "«" + s + "»"
}

// FormatNumber writes n with its digits in groups of three: a space between
// groups in Russian (150 000), a comma in English (150,000).
func FormatNumber(lang string, n int64) string {
	sep := byte(' ')
	if lang == "en" {
		sep = ','
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	head := len(s) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(s[:head])
	for i := head; i < len(s); i += 3 {
		b.WriteByte(sep)
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Salary writes a salary fork the way hh's site does: "от 150 000 до
// 200 000 ₽", "от 150 000 ₽", "до 200 000 ₽", or one figure when both ends
// agree; in English "from 150,000 to 200,000 ₽". from and to are positive or
// 0 for an open end (not both 0); currency is a sign or code, "" for none.
func Salary(lang string, from, to int64, currency string) string {
	var s string
	switch {
	case from > 0 && to > 0 && from == to:
		s = FormatNumber(lang, from)
	case from > 0 && to > 0:
		s = Text(lang, "salary.from_to", Number(from), Number(to))
	case from > 0:
		s = Text(lang, "salary.from", Number(from))
	default:
		s = Text(lang, "salary.up_to", Number(to))
	}
	if currency != "" {
		s += " " + currency
	}
	return s
}

// SalaryText renders a salary text as the applications ledger keeps it,
// written by Salary in Russian ("от 200 000 до 300 000 ₽"), in lang: the
// same text in Russian, English words and comma-grouped digits in English
// ("from 200,000 to 300,000 ₽").
func SalaryText(lang, ledger string) string {
	if lang == Default || !Valid(lang) || ledger == "" {
		return ledger
	}
	text := groupSpace(ledger)
	from, upTo, to := salaryWords(Default)
	lFrom, lUpTo, lTo := salaryWords(lang)
	switch {
	case strings.HasPrefix(text, from):
		text = lFrom + strings.TrimPrefix(text, from)
	case strings.HasPrefix(text, upTo):
		text = lUpTo + strings.TrimPrefix(text, upTo)
	}
	return strings.Replace(text, to, lTo, 1)
}

// salaryWords are the words around Salary's figures in lang: "от ", "до ",
// " до " in Russian.
func salaryWords(lang string) (from, upTo, to string) {
	from = Text(lang, "salary.from", "")
	upTo = Text(lang, "salary.up_to", "")
	to = strings.TrimPrefix(Text(lang, "salary.from_to", "", ""), from)
	return from, upTo, to
}

// groupSpace turns each "d ddd" (a space between a digit and three digits)
// into "d,ddd".
func groupSpace(s string) string {
	b := []byte(s)
	for i := 1; i+4 <= len(b); i++ {
		if b[i] == ' ' && isDigit(b[i-1]) && isDigit(b[i+1]) && isDigit(b[i+2]) && isDigit(b[i+3]) {
			b[i] = ','
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
