package web

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

const (
	minPasswordRunes = 10
	maxPasswordBytes = 72 // bcrypt reads no further
)

// commonPasswordList is where the list comes from and what it holds: see
// the file's own header.
//
//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 12000)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// isCommonPassword reports whether p is on the list of common passwords,
// ignoring case and surrounding spaces.
func isCommonPassword(p string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(p))]
	return ok
}

// checkPassword returns a translation key for what is wrong with a new
// password, or "". email is the account's, which is no password either.
func checkPassword(p, email string) string {
	switch {
	case strings.TrimSpace(p) == "" || utf8.RuneCountInString(p) < minPasswordRunes:
		return "register.password_short"
	case len(p) > maxPasswordBytes:
		return "register.password_long"
	case isCommonPassword(p):
		return "password.common"
	case email != "" && strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(email)):
		return "password.is_email"
	}
	return ""
}
