package hhsandbox_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
)

func TestFaultsServerErrorShare(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{Faults: hhsandbox.Faults{ErrorRate: 0.3}})
	const n = 400
	failed, kinds := 0, map[int]int{}
	for range n {
		r := e.get("/dictionaries", "")
		switch {
		case r.StatusCode >= 500:
			failed++
			kinds[r.StatusCode]++
		case r.StatusCode != 200:
			t.Fatalf("unexpected %d", r.StatusCode)
		}
	}
	if failed < n*2/10 || failed > n*4/10 {
		t.Errorf("%d of %d requests failed, want about 30%%", failed, n)
	}
	if kinds[503] == 0 || kinds[502] == 0 || kinds[500] == 0 {
		t.Errorf("5xx kinds %v, want 500, 502 and 503", kinds)
	}
	e.sb.SetFaults(hhsandbox.Faults{})
	for range 50 {
		if r := e.get("/dictionaries", ""); r.StatusCode != 200 {
			t.Fatalf("with faults off: %d", r.StatusCode)
		}
	}
}

func TestFaultsRateLimitWithRetryAfter(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{Faults: hhsandbox.Faults{RateLimitRate: 0.5, RetryAfter: 3 * time.Second}})
	limited := 0
	for range 200 {
		r := e.get("/areas", "")
		if r.StatusCode == http.StatusTooManyRequests {
			limited++
			if r.Header.Get("Retry-After") != "3" {
				t.Fatalf("429 with Retry-After %q, want 3", r.Header.Get("Retry-After"))
			}
		}
	}
	if limited < 60 || limited > 140 {
		t.Errorf("%d of 200 requests limited, want about half", limited)
	}
}

func TestFaultsAreDeterministicWithTheSeed(t *testing.T) {
	run := func() string {
		e := newEnv(t, hhsandbox.Options{Seed: 5, Faults: hhsandbox.Faults{ErrorRate: 0.5}})
		out := ""
		for range 40 {
			out += strconv.Itoa(e.get("/areas", "").StatusCode) + " "
		}
		return out
	}
	if a, b := run(), run(); a != b {
		t.Errorf("fault draws differ between runs with one seed:\n%s\n%s", a, b)
	}
}

func TestFaultsLatencyIsApplied(t *testing.T) {
	// No timing is asserted; the request simply still succeeds with latency
	// on, and a cancelled request does not wait it out.
	e := newEnv(t, hhsandbox.Options{Faults: hhsandbox.Faults{Latency: time.Millisecond}})
	if r := e.get("/areas", ""); r.StatusCode != 200 {
		t.Errorf("with latency: %d", r.StatusCode)
	}
	if f := e.sb.Faults(); f.Latency != time.Millisecond || f.DailyLimit != 200 || f.LimitStatus != 400 || f.TokenTTL != 14*24*time.Hour {
		t.Errorf("faults %+v: want the latency plus the defaults", f)
	}
}

func TestFaultsTokenLifetime(t *testing.T) {
	e := newEnv(t, hhsandbox.Options{})
	e.sb.SetFaults(hhsandbox.Faults{TokenTTL: 5 * time.Second})
	tok := e.exchange(e.authorizeCode(ivan), "")
	if tok.ExpiresIn == nil || *tok.ExpiresIn != 5 {
		t.Fatalf("expires_in %v, want 5", tok.ExpiresIn)
	}
	e.sb.Advance(5 * time.Second)
	if r := e.get("/me", tok.AccessToken); r.StatusCode != 403 {
		t.Errorf("after 5s: %d, want token_expired", r.StatusCode)
	}
}
