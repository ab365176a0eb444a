package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

func validRuleForm(resumeID string) url.Values {
	return url.Values{
		"name": {"Go в Москве"}, "resume_id": {resumeID}, "text": {"Go"},
		"area": {"1"}, "mode": {"letters"}, "daily_limit": {"20"}, "every_hours": {"4"},
		"active_from": {"09:00"}, "active_to": {"21:00"}, "enabled": {"on"},
	}
}

// A POST without a valid token is refused and changes nothing, whatever its
// headers say.
func TestCSRFRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	u := b.register("a@example.com", "good password 1")
	b.connectHH(env.applicant(0).ID, true)
	resume := publishedResume(t, env, u.ID)
	// The browser still holds the pre-session cookie of the sign-up form;
	// the token that goes with it is good for signed-out forms only.
	var own string
	for _, c := range b.c.Jar.Cookies(mustURL(env.server.URL)) {
		if c.Name == preSessionCookie {
			own = c.Value + "." + csrfSigner{key: deriveKey(env.cfg.SecretKey, "web csrf")}.mac(c.Value)
		}
	}
	if own == "" {
		t.Fatal("no pre-session cookie kept from the sign-up form")
	}

	cases := []struct {
		name   string
		token  string
		header map[string]string
	}{
		{"no token", "", nil},
		{"wrong token", "forged", nil},
		{"no token, same Origin", "", map[string]string{"Origin": env.server.URL}},
		{"no token, same-origin fetch metadata", "", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": env.server.URL}},
		{"pre-session token of another browser", env.browser().csrf("/login"), nil},
		{"own signed-out token while signed in", own, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := validRuleForm(resume)
			if c.token != "" {
				form.Set("csrf", c.token)
			}
			if r := b.postRaw("/rules", form, c.header); r.status != http.StatusForbidden {
				t.Errorf("POST /rules = %d, want 403", r.status)
			}
			if r := b.postRaw("/logout", url.Values{"csrf": {c.token}}, c.header); r.status != http.StatusForbidden {
				t.Errorf("POST /logout = %d, want 403", r.status)
			}
		})
	}
	list, err := env.store.Rules(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("%d rules created by refused requests", len(list))
	}
	if r := b.get("/"); r.status != http.StatusOK {
		t.Error("a refused logout signed the user out")
	}

	// A cross-site request is refused by CrossOriginProtection even with a good token.
	form := validRuleForm(resume)
	form.Set("csrf", b.csrf("/rules/new"))
	if r := b.postRaw("/rules", form, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", r.status)
	}
	// And the same form from the page itself works.
	if r := b.postRaw("/rules", form, nil); r.status != http.StatusSeeOther {
		t.Errorf("POST with the page's token = %d, want 303", r.status)
	}
}

func TestCSRFSignedOutForms(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	b := env.browser()
	r := b.postRaw("/register", url.Values{"email": {"x@example.com"}, "password": {"good password 1"}}, nil)
	if r.status != http.StatusForbidden {
		t.Errorf("sign-up without token = %d, want 403", r.status)
	}
	// A token without its cookie (another browser's) does not pass either.
	token := env.browser().csrf("/register")
	r = b.postRaw("/register", url.Values{"email": {"x@example.com"}, "password": {"good password 1"}, "csrf": {token}}, nil)
	if r.status != http.StatusForbidden {
		t.Errorf("sign-up with another browser's token = %d, want 403", r.status)
	}
	if n, _ := env.store.CountUsers(context.Background()); n != 0 {
		t.Errorf("%d users created", n)
	}
}

func publishedResume(t *testing.T, env *testEnv, userID int64) string {
	t.Helper()
	list, err := env.store.Resumes(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Published {
			return r.ID
		}
	}
	t.Fatal("no published resume cached")
	return ""
}
