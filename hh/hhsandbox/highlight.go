package hhsandbox

import (
	"strings"
	"unicode"
)

// normalize lower-cases runes and folds ё into е, keeping the rune count so
// positions map back onto the original text.
func normalize(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		out[i] = r
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordMatches returns the [start, end) rune spans of the words in text that
// begin with word (already normalized): hh matches word forms, and a prefix
// at a word boundary is the sandbox's approximation of that.
func wordMatches(text []rune, word string) [][2]int {
	w := []rune(word)
	if len(w) == 0 {
		return nil
	}
	norm := normalize(text)
	var spans [][2]int
	for i := 0; i+len(w) <= len(norm); i++ {
		if i > 0 && isWordRune(norm[i-1]) {
			continue
		}
		if string(norm[i:i+len(w)]) != word {
			continue
		}
		end := i + len(w)
		for end < len(norm) && isWordRune(norm[end]) {
			end++
		}
		spans = append(spans, [2]int{i, end})
		i = end - 1
	}
	return spans
}

// countWord counts the words of text that begin with word.
func countWord(text, word string) int { return len(wordMatches([]rune(text), word)) }

// highlight wraps every matched word of text in <highlighttext> as hh does
// in snippets.
func highlight(text string, words []string) string {
	rs := []rune(text)
	inside := make([]bool, len(rs))
	for _, w := range words {
		for _, sp := range wordMatches(rs, w) {
			for i := sp[0]; i < sp[1]; i++ {
				inside[i] = true
			}
		}
	}
	var b strings.Builder
	open := false
	for i, r := range rs {
		if inside[i] && !open {
			b.WriteString("<highlighttext>")
			open = true
		} else if !inside[i] && open {
			b.WriteString("</highlighttext>")
			open = false
		}
		b.WriteRune(r)
	}
	if open {
		b.WriteString("</highlighttext>")
	}
	return b.String()
}
