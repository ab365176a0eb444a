package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Short, blank and common passwords are refused at sign-up, the common ones
// whatever their case; the form keeps the e-mail.
func TestRegisterRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	cases := map[string]string{
		"password":              "не короче 10 символов",
		"12345678":              "не короче 10 символов",
		"        ":              "не короче 10 символов",
		"          ":            "не короче 10 символов",
		"1234567890":            "самых частых паролей",
		"QwertyUIOP":            "самых частых паролей",
		"Password123":           "самых частых паролей",
		"new@example.com":       "не должен совпадать с e-mail",
		strings.Repeat("я", 40): "слишком длинный",
	}
	for password, want := range cases {
		r := b.post("/register", "/register", url.Values{"email": {"new@example.com"}, "password": {password}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, want) {
			t.Errorf("password %q: %d, want 422 saying %q", password, r.status, want)
		}
		if !strings.Contains(r.body, `value="new@example.com"`) {
			t.Errorf("password %q: the e-mail typed was not kept", password)
		}
	}
	if n, _ := env.store.CountUsers(context.Background()); n != 0 {
		t.Fatalf("%d accounts made with weak passwords", n)
	}
	b.register("new@example.com", "correct horse battery")
}

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	if n := len(commonPasswords()); n < 10000 {
		t.Errorf("%d common passwords shipped, want about 10,000 or more", n)
	}
	for _, p := range []string{"123456", "qwerty", "iloveyou", "1q2w3e4r5t", "QWERTYUIOP", " letmein "} {
		if !isCommonPassword(p) {
			t.Errorf("%q is not on the list", p)
		}
	}
	if isCommonPassword("correct horse battery") {
		t.Error("a long passphrase is on the list")
	}
}

// «Сменить пароль» asks for the current password, refuses a weak new one,
// and ends every other session of the person: the old password and the
// other browsers no longer get in, this browser stays signed in.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const email, old, next = "anna@example.com", "anna's old password", "anna's new password"
	here := env.browser()
	here.register(email, old)
	there := env.browser()
	if r := there.signIn(email, old); r.status != http.StatusSeeOther {
		t.Fatalf("second browser: %d", r.status)
	}

	change := func(current, next string) response {
		return here.post("/settings", "/settings/password", url.Values{"current_password": {current}, "new_password": {next}})
	}
	if r := change("not my password", next); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Текущий пароль не подходит") {
		t.Errorf("wrong current password: %d", r.status)
	}
	if r := change(old, "1234567890"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "самых частых паролей") {
		t.Errorf("common new password: %d", r.status)
	}
	if r := there.get("/"); r.status != http.StatusOK {
		t.Fatalf("refused changes signed the other browser out: %d", r.status)
	}
	if r := change(old, next); r.status != http.StatusSeeOther || r.location != "/settings" {
		t.Fatalf("change: %d %q", r.status, r.location)
	}
	if r := here.get("/settings"); r.status != http.StatusOK || !strings.Contains(r.body, "Пароль изменён") {
		t.Errorf("this browser after the change: %d", r.status)
	}
	if r := there.get("/"); r.status != http.StatusSeeOther || r.location != "/login" {
		t.Errorf("the other browser after the change: %d %q, want signed out", r.status, r.location)
	}
	if r := env.browser().signIn(email, old); r.status != http.StatusUnauthorized {
		t.Errorf("the old password: %d, want 401", r.status)
	}
	if r := env.browser().signIn(email, next); r.status != http.StatusSeeOther {
		t.Errorf("the new password: %d, want 303", r.status)
	}
}

// «Выйти на всех устройствах» ends every session but this browser's.
func TestSignOutEverywhereElse(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	here := env.browser()
	here.register("boris@example.com", "boris's long password")
	others := []*browser{env.browser(), env.browser()}
	for _, b := range others {
		b.signIn("boris@example.com", "boris's long password")
	}
	if r := here.post("/settings", "/settings/sessions/end", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", r.status)
	}
	if r := here.get("/settings"); r.status != http.StatusOK || !strings.Contains(r.body, "Вы вышли на всех устройствах, кроме этого") {
		t.Errorf("this browser: %d", r.status)
	}
	for i, b := range others {
		if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/login" {
			t.Errorf("browser %d: %d %q, want signed out", i, r.status, r.location)
		}
	}
}
