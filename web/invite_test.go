package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/otklik/otklik/config"
)

func inviteOnly(d *Deps) { d.Config.Registration = config.RegistrationInvite }

// newInvite has the admin create an invite on /settings and returns its
// code as the page shows it.
func newInvite(t *testing.T, admin *browser) string {
	t.Helper()
	before := map[string]bool{}
	for _, m := range inviteCodeRe.FindAllStringSubmatch(admin.get("/settings").body, -1) {
		before[m[1]] = true
	}
	if r := admin.post("/settings", "/settings/invites", nil); r.status != http.StatusSeeOther {
		t.Fatalf("create invite: %d", r.status)
	}
	for _, m := range inviteCodeRe.FindAllStringSubmatch(admin.get("/settings").body, -1) {
		if !before[m[1]] {
			return m[1]
		}
	}
	t.Fatal("the new invite is not on /settings")
	return ""
}

var inviteCodeRe = regexp.MustCompile(`<code>([A-Z0-9-]+)</code>`)

// Twenty sign-ups sent at the same moment with one invite code make one
// account; the other nineteen are told the code does not fit.
func TestInviteTakenOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, inviteOnly)
	admin := env.browser()
	admin.register("admin@example.com", "the admin's password")
	code := newInvite(t, admin)

	const n = 20
	type signUp struct {
		b    *browser
		form url.Values
	}
	var tries []signUp
	for i := range n {
		b := env.browser()
		tries = append(tries, signUp{b, url.Values{"email": {fmt.Sprintf("guest%d@example.com", i)},
			"password": {"a guest's long password"}, "invite": {code}, "csrf": {b.csrf("/register")}}})
	}
	statuses := make([]int, n)
	bodies := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range tries {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, s.b.url("/register"), strings.NewReader(s.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := s.b.c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			statuses[i], bodies[i] = res.StatusCode, string(body)
		})
	}
	close(start)
	wg.Wait()

	created, refused := 0, 0
	for i, st := range statuses {
		switch st {
		case http.StatusSeeOther:
			created++
		case http.StatusUnprocessableEntity:
			refused++
			if !strings.Contains(bodies[i], "Код приглашения не подходит") {
				t.Errorf("sign-up %d refused without saying why", i)
			}
		default:
			t.Errorf("sign-up %d: %d", i, st)
		}
	}
	users, err := env.store.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || refused != n-1 || users != 2 {
		t.Fatalf("%d concurrent sign-ups with one code: %d created, %d refused, %d users; want 1, %d, 2", n, created, refused, users, n-1)
	}
}

// The admin makes as many invites as needed, each good once, and can
// withdraw one; nobody else can make them.
func TestInvitesOnSettings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, inviteOnly)
	admin := env.browser()
	admin.register("admin@example.com", "the admin's password")
	first, second := newInvite(t, admin), newInvite(t, admin)
	if first == second {
		t.Fatal("two invites with one code")
	}
	page := admin.get("/settings").body
	if !strings.Contains(page, "/register?invite="+first) || !strings.Contains(page, "/register?invite="+second) {
		t.Error("the invite links are not on /settings")
	}
	// Withdrawn, the second no longer works.
	id := regexpFind(t, page, `data-invite-id="(\d+)">\s*<p><code>`+second)
	if r := admin.post("/settings", "/settings/invites/"+id+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", r.status)
	}
	g := env.browser()
	r := g.post("/register", "/register", url.Values{"email": {"late@example.com"}, "password": {"a guest's long password"}, "invite": {second}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("withdrawn invite: %d, want 422", r.status)
	}
	// The code forgives case, spaces and dashes.
	typed := strings.ToLower(strings.ReplaceAll(first, "-", " "))
	r = g.post("/register", "/register", url.Values{"email": {"guest@example.com"}, "password": {"a guest's long password"}, "invite": {typed}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("invite typed loosely: %d %q", r.status, r.location)
	}
	// A user who is not an admin cannot make invites.
	if r := g.post("/settings", "/settings/invites", nil); r.status != http.StatusNotFound {
		t.Errorf("non-admin creates an invite: %d, want 404", r.status)
	}
	if strings.Contains(g.get("/settings").body, "/settings/invites") {
		t.Error("a non-admin's settings offer invites")
	}
}
