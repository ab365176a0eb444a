package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// csrfField is the hidden form field every form carries (docs/ARCHITECTURE.md, "Contracts").
const csrfField = "csrf"

// preSessionCookie carries the random half of the signed double-submit token
// used by forms shown to people who are not signed in (login, register).
const preSessionCookie = "otklik_csrf"

// csrfSigner makes and checks signed double-submit tokens for signed-out
// forms: the cookie holds a random value, the form holds the value and its
// HMAC, so neither a forged cookie nor a forged field passes alone.
type csrfSigner struct {
	key    []byte
	secure bool
	cookie string // the pre-session cookie's name (with __Host- behind TLS)
}

func (c csrfSigner) mac(v string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("otklik pre-session csrf\x00"))
	m.Write([]byte(v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// token returns the form token for the request's pre-session cookie, setting
// a new cookie when there is none.
func (c csrfSigner) token(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if ck, err := r.Cookie(c.cookie); err == nil && validRandomToken(ck.Value) {
		v = ck.Value
	} else {
		v = randomToken()
		http.SetCookie(w, &http.Cookie{
			Name: c.cookie, Value: v, Path: "/",
			HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
		})
	}
	return v + "." + c.mac(v)
}

// valid checks a form token against the request's pre-session cookie.
func (c csrfSigner) valid(r *http.Request, formToken string) bool {
	ck, err := r.Cookie(c.cookie)
	if err != nil || ck.Value == "" {
		return false
	}
	v, sig, ok := strings.Cut(formToken, ".")
	if !ok {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(v), []byte(ck.Value)) != 1 {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(c.mac(v)))
}

// randomToken returns 32 random bytes, URL-safe base64.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

func validRandomToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// tokensEqual compares two secrets in constant time; empty never matches.
func tokensEqual(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
