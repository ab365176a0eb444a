package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otklik/otklik/config"
)

func TestRegisterLoginLogout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("Anna@Example.com", "correct horse")
	if !u.IsAdmin {
		t.Error("the first user should be the admin")
	}
	// Signed in at once: the dashboard, not the login page.
	if r := b.get("/"); r.status != http.StatusOK || !strings.Contains(r.body, `action="/logout"`) {
		t.Fatalf("after sign-up / = %d, want the dashboard", r.status)
	}
	if r := b.post("/", "/logout", nil); r.status != http.StatusSeeOther || r.location != "/login" {
		t.Fatalf("logout = %d %q", r.status, r.location)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/login" {
		t.Fatalf("after logout / = %d %q, want redirect to /login", r.status, r.location)
	}
	r := b.post("/login", "/login", url.Values{"email": {"anna@example.com"}, "password": {"correct horse"}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("login = %d %q\n%s", r.status, r.location, r.body)
	}
	if r := b.get("/"); r.status != http.StatusOK {
		t.Fatalf("after login / = %d", r.status)
	}
}

func TestSessionCookieAndRotation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("a@example.com", "good password 1")
	form := url.Values{"email": {"a@example.com"}, "password": {"good password 1"}, "csrf": {b.csrf("/")}}
	before := sessionCookieOf(t, b)
	res, err := b.c.PostForm(b.url("/login"), form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var set *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			set = c
		}
	}
	if set == nil {
		t.Fatal("login set no session cookie")
	}
	if !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Secure {
		t.Errorf("cookie flags: HttpOnly=%v SameSite=%v Secure=%v; want HttpOnly, Lax, not Secure over http", set.HttpOnly, set.SameSite, set.Secure)
	}
	if set.Value == before {
		t.Error("session id was not rotated at sign-in")
	}
	// The old session no longer signs anyone in.
	old := env.browser()
	old.c.Jar.SetCookies(mustURL(env.server.URL), []*http.Cookie{{Name: sessionCookie, Value: before}})
	if r := old.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("old session still works: %d", r.status)
	}
}

func sessionCookieOf(t *testing.T, b *browser) string {
	t.Helper()
	for _, c := range b.c.Jar.Cookies(mustURL(b.env.server.URL)) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSecureCookieBehindTLS(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(d *Deps) { d.Config.BaseURL = mustURL("https://otklik.example.com") })
	b := env.browser()
	b.csrf("/login")
	r := b.postRaw("/register", url.Values{"email": {"s@example.com"}, "password": {"good password 1"}, "csrf": {b.csrf("/register")}}, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("register = %d", r.status)
	}
	found := false
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if !strings.HasPrefix(c.Name, "__Host-") || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s (path %q, domain %q): want the __Host- prefix, path / and no domain behind TLS", c.Name, c.Path, c.Domain)
		}
		if c.Name == "__Host-"+sessionCookie {
			found = true
			if !c.Secure {
				t.Error("session cookie without Secure although BASE_URL is https")
			}
		}
	}
	if !found {
		t.Error("no __Host- session cookie set although BASE_URL is https")
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("taken@example.com", "good password 1")
	b.post("/", "/logout", nil)

	r := b.post("/register", "/register", url.Values{"email": {"TAKEN@example.com"}, "password": {"good password 2"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "уже зарегистрирован") {
		t.Errorf("duplicate e-mail: %d, want 422 with a message", r.status)
	}
	if !strings.Contains(r.body, `value="TAKEN@example.com"`) {
		t.Error("the e-mail typed was not kept")
	}
	r = b.post("/register", "/register", url.Values{"email": {"new@example.com"}, "password": {"short"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "не короче 10 символов") {
		t.Errorf("short password: %d", r.status)
	}
	r = b.post("/register", "/register", url.Values{"email": {"not-an-email"}, "password": {"good password 1"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("bad e-mail: %d", r.status)
	}
	if n, _ := env.store.CountUsers(context.Background()); n != 1 {
		t.Errorf("users = %d, want 1", n)
	}
}

func TestLoginSameAnswerForUnknownEmail(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	b.register("known@example.com", "good password 1")
	b.post("/", "/logout", nil)

	wrong := b.post("/login", "/login", url.Values{"email": {"known@example.com"}, "password": {"wrong-password"}})
	unknown := b.post("/login", "/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong-password"}})
	if wrong.status != http.StatusUnauthorized || unknown.status != wrong.status {
		t.Fatalf("statuses: wrong password %d, unknown e-mail %d; want both 401", wrong.status, unknown.status)
	}
	norm := func(s, email string) string { return strings.ReplaceAll(s, email, "EMAIL") }
	if norm(wrong.body, "known@example.com") != norm(unknown.body, "nobody@example.com") {
		t.Error("the answers for a wrong password and an unknown e-mail differ")
	}
	if !strings.Contains(wrong.body, "Неверный e-mail или пароль") {
		t.Error("no sign-in error shown")
	}
}

func TestRegistrationPolicies(t *testing.T) {
	t.Parallel()
	t.Run("closed", func(t *testing.T) {
		env := newTestEnv(t, func(d *Deps) { d.Config.Registration = config.RegistrationClosed })
		env.browser().register("first@example.com", "good password 1") // the first may always
		b := env.browser()
		if r := b.get("/register"); !strings.Contains(r.body, "Регистрация на этом сервисе закрыта") {
			t.Error("closed registration not explained")
		}
		r := b.postRaw("/register", url.Values{"email": {"second@example.com"}, "password": {"good password 1"}, "csrf": {b.csrf("/login")}}, nil)
		if r.status != http.StatusForbidden {
			t.Errorf("second sign-up: %d, want 403", r.status)
		}
	})
	t.Run("invite", func(t *testing.T) {
		env := newTestEnv(t, func(d *Deps) { d.Config.Registration = config.RegistrationInvite })
		admin := env.browser()
		admin.register("admin@example.com", "good password 1")
		if r := admin.post("/settings", "/settings/invites", nil); r.status != http.StatusSeeOther {
			t.Fatalf("create invite: %d", r.status)
		}
		settings := admin.get("/settings").body
		code := regexpFind(t, settings, `<code>([A-Z0-9-]+)</code>`)

		b := env.browser()
		r := b.post("/register", "/register", url.Values{"email": {"guest@example.com"}, "password": {"good password 1"}, "invite": {"WRONG"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong invite: %d", r.status)
		}
		r = b.post("/register", "/register", url.Values{"email": {"guest@example.com"}, "password": {"good password 1"}, "invite": {strings.ToLower(code)}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("right invite: %d\n%s", r.status, r.body)
		}
		// The code was good for one sign-up.
		c := env.browser()
		r = c.post("/register", "/register", url.Values{"email": {"third@example.com"}, "password": {"good password 1"}, "invite": {code}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("reused invite: %d, want 422", r.status)
		}
	})
}
