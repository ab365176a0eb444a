package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func trustProxy(d *Deps) { d.TrustForwardedFor = true }

// signIn posts the sign-in form.
func (b *browser) signIn(email, password string) response {
	b.t.Helper()
	return b.post("/login", "/login", url.Values{"email": {email}, "password": {password}})
}

// A guesser at one address gets a handful of tries at an account, then 429
// with when to retry, even with the right password, whatever case or
// spaces they dress the e-mail in.
func TestSignInBruteForceStopped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, trustProxy)
	victim := env.browser().from("198.51.100.1")
	victim.register("victim@example.com", "victim's long password")
	victim.post("/", "/logout", nil)

	attacker := env.browser().from("203.0.113.9")
	for i := range DefaultThrottleLimits.PairFailures {
		if r := attacker.signIn("victim@example.com", fmt.Sprintf("guess number %d", i)); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, r.status)
		}
	}
	for _, email := range []string{"victim@example.com", " VICTIM@Example.com "} {
		r := attacker.signIn(email, "victim's long password")
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("%q after %d failures: %d, want 429", email, DefaultThrottleLimits.PairFailures, r.status)
		}
		retry, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > int(DefaultThrottleLimits.Window.Seconds()) {
			t.Errorf("Retry-After %q, want seconds up to the window", r.header.Get("Retry-After"))
		}
		if !strings.Contains(r.body, "Попробуйте снова через 15 мин") {
			t.Errorf("the 429 page does not say when to retry:\n%s", r.body)
		}
	}

	// Knocking on while refused does not prolong the block (refused
	// attempts are not counted): when the window ends, it ends.
	for range 3 {
		attacker.signIn("victim@example.com", "still guessing")
		env.redis.FastForward(DefaultThrottleLimits.Window / 4)
	}
	if r := attacker.signIn("victim@example.com", "still guessing"); r.status != http.StatusTooManyRequests {
		t.Errorf("within the window: %d, want 429", r.status)
	}

	// The counts live in Redis: another web process of the instance (or
	// this one restarted) refuses the guesser too.
	other, err := New(env.deps)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(other.Handler())
	t.Cleanup(srv.Close)
	form := url.Values{"email": {"victim@example.com"}, "password": {"another guess"}, "csrf": {attacker.csrf("/login")}}
	// (Cookies are the host's whatever the port, so the form token holds.)
	if r := attacker.postRaw(srv.URL+"/login", form, nil); r.status != http.StatusTooManyRequests {
		t.Errorf("another web process let the guesser on: %d, want 429", r.status)
	}
	env.redis.FastForward(DefaultThrottleLimits.Window / 4)
	if r := attacker.signIn("victim@example.com", "victim's long password"); r.status != http.StatusSeeOther {
		t.Errorf("after the window: %d, want the right password to sign in", r.status)
	}
}

// Whatever a stranger does with the victim's e-mail, the victim still signs
// in: from the browser they used before (even behind the stranger's
// address), and from a new browser at another address.
func TestSignInStrangerCannotLockOut(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, trustProxy)
	const email, password = "owner@example.com", "owner's long password"
	known := env.browser().from("198.51.100.7")
	known.register(email, password)
	known.post("/", "/logout", nil)

	// One stranger at the owner's own address (a shared NAT) guesses
	// until refused.
	stranger := env.browser().from("198.51.100.7")
	for stranger.signIn(email, "not the password").status != http.StatusTooManyRequests {
	}
	if r := known.signIn(email, password); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("the owner's known browser at the stranger's address: %d, want 303 to /\n%s", r.status, r.body)
	}
	known.post("/", "/logout", nil)
	if r := env.browser().from("192.0.2.44").signIn(email, password); r.status != http.StatusSeeOther {
		t.Fatalf("the owner in a new browser elsewhere: %d, want 303", r.status)
	}

	// Many strangers at many addresses: the account is slowed for browsers
	// it does not know, never closed to the known one.
	for i := range DefaultThrottleLimits.AccountFailures + 2 {
		env.browser().from(fmt.Sprintf("203.0.113.%d", 10+i)).signIn(email, "not the password")
	}
	env.redis.FastForward(DefaultThrottleLimits.AccountEvery) // the last stranger's slot passes
	fresh := env.browser().from("192.0.2.45")
	if r := fresh.signIn(email, "a wrong guess"); r.status != http.StatusUnauthorized {
		t.Fatalf("the first attempt from a new address on a slowed account: %d, want 401", r.status)
	}
	r := env.browser().from("192.0.2.46").signIn(email, password)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Попробуйте снова через") {
		t.Fatalf("an unknown browser right after on a slowed account: %d, want 429 saying when", r.status)
	}
	if wait, _ := strconv.Atoi(r.header.Get("Retry-After")); wait < 1 || wait > int(DefaultThrottleLimits.AccountEvery.Seconds()) {
		t.Errorf("slowed account: Retry-After %q, want at most %s", r.header.Get("Retry-After"), DefaultThrottleLimits.AccountEvery)
	}
	if r := known.signIn(email, password); r.status != http.StatusSeeOther {
		t.Fatalf("the known browser on a slowed account: %d, want 303", r.status)
	}
}

// One address spraying a password over many accounts is stopped for every
// account, and only that address.
func TestSignInSprayStopped(t *testing.T) {
	t.Parallel()
	limits := DefaultThrottleLimits
	limits.AddressFailures = 6
	env := newTestEnv(t, trustProxy, func(d *Deps) { d.Throttle = limits })
	env.browser().from("198.51.100.20").register("target@example.com", "target's long password")

	sprayer := env.browser().from("203.0.113.50")
	for i := range limits.AddressFailures {
		if r := sprayer.signIn(fmt.Sprintf("user%d@example.com", i), "Summer2024!!"); r.status != http.StatusUnauthorized {
			t.Fatalf("spray %d: %d, want 401", i, r.status)
		}
	}
	if r := sprayer.signIn("target@example.com", "target's long password"); r.status != http.StatusTooManyRequests {
		t.Errorf("the sprayer's address on a fresh account: %d, want 429", r.status)
	}
	if r := env.browser().from("198.51.100.21").signIn("target@example.com", "target's long password"); r.status != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", r.status)
	}
}
