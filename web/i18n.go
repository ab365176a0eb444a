package web

import "github.com/otklik/otklik/locale"

// defaultLang is the language of a visitor who has not chosen one.
const defaultLang = locale.Default

// languages Otklik speaks; the first is the default.
var languages = locale.Languages()

func validLang(s string) bool { return locale.Valid(s) }

// translate is key's words in lang (locale.Text: Russian, then the key
// itself, when lang lacks it), with args formatted in.
func translate(lang, key string, args ...any) string {
	return locale.Text(lang, key, args...)
}
