package web

import (
	"fmt"
)

const defaultLang = "ru"

// languages Otklik speaks; the first is the default.
var languages = []string{"ru", "en"}

func validLang(s string) bool { return s == "ru" || s == "en" }

// translate looks key up in lang, falling back to Russian and then to the
// key itself, and formats args into it.
func translate(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = messages[defaultLang][key]
	}
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
