package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
)

// inviteCode is the code that lets the next person register when
// REGISTRATION=invite. It is derived from SECRET_KEY and the number of users,
// so it needs no table and is good for one sign-up: once someone registers
// with it, the count moves on and the admin's settings page shows a new one.
func (h *handler) inviteCode(users int) string {
	m := hmac.New(sha256.New, h.inviteKey)
	m.Write([]byte("invite:" + strconv.Itoa(users)))
	code := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil))[:12]
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// validInvite compares a typed code with the current one, forgiving case,
// spaces and dashes.
func (h *handler) validInvite(users int, typed string) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == ' ' {
				return -1
			}
			return r
		}, strings.ToUpper(strings.TrimSpace(s)))
	}
	return tokensEqual(norm(typed), norm(h.inviteCode(users)))
}
