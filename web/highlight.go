package web

import (
	"html"
	"html/template"
	"strings"
)

const (
	escapedOpenHighlight  = "&lt;highlighttext&gt;"
	escapedCloseHighlight = "&lt;/highlighttext&gt;"
)

// highlight renders an hh snippet, which is untrusted: everything is escaped,
// then the escaped <highlighttext> tags hh wraps around search matches become
// <mark>. Stray or unbalanced tags never leave an element open.
func highlight(s string) template.HTML {
	esc := html.EscapeString(s)
	var b strings.Builder
	open := false
	for {
		i := strings.Index(esc, "&lt;")
		if i < 0 {
			b.WriteString(esc)
			break
		}
		b.WriteString(esc[:i])
		rest := esc[i:]
		switch {
		case strings.HasPrefix(rest, escapedOpenHighlight):
			if !open {
				b.WriteString("<mark>")
				open = true
			}
			esc = rest[len(escapedOpenHighlight):]
		case strings.HasPrefix(rest, escapedCloseHighlight):
			if open {
				b.WriteString("</mark>")
				open = false
			}
			esc = rest[len(escapedCloseHighlight):]
		default:
			b.WriteString("&lt;")
			esc = rest[len("&lt;"):]
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped text above
}
