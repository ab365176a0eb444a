package web

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle limits sign-in attempts per client IP and per e-mail, so guessing
// one person's password and spraying many accounts from one address are both
// slow. Every attempt counts, successful or not: a person signs in rarely.
type throttle struct {
	mu      sync.Mutex
	perIP   map[string]*limiterEntry
	perKey  map[string]*limiterEntry
	ipRate  rate.Limit
	ipBurst int
	kRate   rate.Limit
	kBurst  int
	calls   int
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// ThrottleLimits sets how many sign-in attempts are allowed.
type ThrottleLimits struct {
	// PerIP: a burst, then one attempt every IPEvery.
	PerIP   int
	IPEvery time.Duration
	// PerEmail: a burst, then one attempt every EmailEvery.
	PerEmail   int
	EmailEvery time.Duration
}

// DefaultThrottleLimits: 30 attempts from one address then one every 2
// seconds; 5 attempts for one e-mail then one a minute.
var DefaultThrottleLimits = ThrottleLimits{PerIP: 30, IPEvery: 2 * time.Second, PerEmail: 5, EmailEvery: time.Minute}

func newThrottle(l ThrottleLimits) *throttle {
	return &throttle{
		perIP:   map[string]*limiterEntry{},
		perKey:  map[string]*limiterEntry{},
		ipRate:  rate.Every(l.IPEvery),
		ipBurst: l.PerIP,
		kRate:   rate.Every(l.EmailEvery),
		kBurst:  l.PerEmail,
	}
}

// allow reports whether an attempt from ip for key (an e-mail, "" for none)
// may go ahead, and consumes one token of each when it does.
func (t *throttle) allow(ip, key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.calls%1000 == 0 {
		t.sweep(now)
	}
	ipl := t.entry(t.perIP, ip, t.ipRate, t.ipBurst, now)
	key = strings.ToLower(strings.TrimSpace(key))
	if key == "" {
		return ipl.AllowN(now, 1)
	}
	kl := t.entry(t.perKey, key, t.kRate, t.kBurst, now)
	// Take from both only when both have a token, so a refused attempt for
	// one e-mail does not drain the address's budget and vice versa.
	ri := ipl.ReserveN(now, 1)
	rk := kl.ReserveN(now, 1)
	if ri.OK() && rk.OK() && ri.DelayFrom(now) == 0 && rk.DelayFrom(now) == 0 {
		return true
	}
	ri.CancelAt(now)
	rk.CancelAt(now)
	return false
}

func (t *throttle) entry(m map[string]*limiterEntry, k string, r rate.Limit, b int, now time.Time) *rate.Limiter {
	e, ok := m[k]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(r, b)}
		m[k] = e
	}
	e.seen = now
	return e.lim
}

// sweep forgets limiters idle long enough to have refilled.
func (t *throttle) sweep(now time.Time) {
	for _, m := range []map[string]*limiterEntry{t.perIP, t.perKey} {
		for k, e := range m {
			if now.Sub(e.seen) > time.Hour {
				delete(m, k)
			}
		}
	}
}
