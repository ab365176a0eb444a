package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/store"
)

// deviceCookie marks a browser that has signed in to an account before:
// the sign-in throttle lets it through whatever failures other browsers
// caused for that account (throttle.go).
const deviceCookie = "otklik_device"

const deviceTTL = 365 * 24 * time.Hour

// deviceMAC signs a known-device value. The password hash is part of it, so
// changing the password forgets every browser known until then.
func (h *handler) deviceMAC(userID int64, nonce, passwordHash string) string {
	m := hmac.New(sha256.New, h.deviceKey)
	m.Write([]byte(strconv.FormatInt(userID, 10) + "\x00" + nonce + "\x00" + passwordHash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// knownDevice returns the id of r's known-device cookie when it vouches for
// u, "" otherwise.
func (h *handler) knownDevice(r *http.Request, u *store.User) string {
	if u == nil {
		return ""
	}
	ck, err := r.Cookie(h.cookieName(deviceCookie))
	if err != nil {
		return ""
	}
	id, nonce, ok := strings.Cut(ck.Value, ".")
	if !ok || id != strconv.FormatInt(u.ID, 10) {
		return ""
	}
	nonce, mac, ok := strings.Cut(nonce, ".")
	if !ok || !validRandomToken(nonce) || !hmac.Equal([]byte(mac), []byte(h.deviceMAC(u.ID, nonce, u.PasswordHash))) {
		return ""
	}
	return nonce
}

// rememberDevice marks the browser as known to u, keeping its id when it
// was already.
func (h *handler) rememberDevice(w http.ResponseWriter, r *http.Request, u *store.User) {
	nonce := h.knownDevice(r, u)
	if nonce == "" {
		nonce = randomToken()
	}
	value := strconv.FormatInt(u.ID, 10) + "." + nonce + "." + h.deviceMAC(u.ID, nonce, u.PasswordHash)
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName(deviceCookie), Value: value, Path: "/", MaxAge: int(deviceTTL / time.Second),
		HttpOnly: true, Secure: h.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}
