package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// The sign-in throttle lives in Redis, so it holds across restarts and is
// shared by every web process of an instance.
//
// It must stop a guesser without handing a stranger who knows someone's
// e-mail a way to lock that person out. So failures are counted under keys
// that name whom a block would hurt:
//
//   - pair: failures for one e-mail from one address. At PairFailures that
//     address may not try that e-mail again until the window ends: a
//     guesser at one address gets a handful of tries, and the owner at any
//     other address is not affected.
//   - address: failures from one address, whatever the e-mail (spraying one
//     password over many accounts). A higher bar, AddressFailures; then the
//     address may not sign in as anyone until the window ends.
//   - account: failures for one e-mail from every address (a guesser with
//     many addresses). Past AccountFailures the account is only slowed: the
//     browsers it does not know get one attempt per AccountEvery between them.
//   - device: a browser that has signed in to the account before carries a
//     signed "known device" cookie (knowndevice.go). It passes the three
//     checks above, so failures from elsewhere never keep the owner out; its
//     own failures are counted under its own key, DeviceFailures, so the
//     cookie is no licence to guess either.
//
// Only failures are counted, in fixed windows that start with the first
// failure: an attempt refused by the throttle is neither checked nor
// counted, so a block ends when its window does however often someone keeps
// knocking. A successful sign-in clears its pair and device counters (not
// the address's or the account's, which a guesser could otherwise reset by
// signing in to an account of their own). E-mails are normalized as the
// store does (case, spaces) and kept in Redis only as hashes.
type throttle struct {
	rdb     redis.UniversalClient
	limits  ThrottleLimits
	signUps *redis_rate.Limiter
}

// ThrottleLimits sets how many sign-in failures are allowed.
type ThrottleLimits struct {
	// Window is how long failures are remembered, from the first one.
	Window time.Duration
	// PairFailures for one e-mail from one address block that pair.
	PairFailures int
	// AddressFailures from one address block it for every e-mail.
	AddressFailures int
	// AccountFailures for one e-mail from anywhere slow the account down to
	// one attempt per AccountEvery from browsers it does not know.
	AccountFailures int
	AccountEvery    time.Duration
	// DeviceFailures from one known browser block that browser.
	DeviceFailures int
	// SignUpsPerMinute is how many sign-up attempts one address may make a
	// minute (after a burst as large).
	SignUpsPerMinute int
}

// DefaultThrottleLimits: 5 failures for an e-mail from one address, 30
// from one address in all, then a 15-minute wait; past 10 failures for an
// e-mail in 15 minutes, unknown browsers get one attempt per 10 seconds.
var DefaultThrottleLimits = ThrottleLimits{
	Window:           15 * time.Minute,
	PairFailures:     5,
	AddressFailures:  30,
	AccountFailures:  10,
	AccountEvery:     10 * time.Second,
	DeviceFailures:   10,
	SignUpsPerMinute: 30,
}

func newThrottle(rdb redis.UniversalClient, l ThrottleLimits) *throttle {
	return &throttle{rdb: rdb, limits: l, signUps: redis_rate.NewLimiter(rdb)}
}

// signInKeys are the Redis keys of one sign-in attempt. device is the known
// device's id ("" for a browser the account does not know).
type signInKeys struct {
	pair, address, account, slow, device string
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func keysFor(ip, email, device string) signInKeys {
	email = strings.ToLower(strings.TrimSpace(email))
	k := signInKeys{
		pair:    "otklik:signin:pair:" + digest(ip, email),
		address: "otklik:signin:addr:" + digest(ip),
		account: "otklik:signin:acct:" + digest(email),
		slow:    "otklik:signin:slow:" + digest(email),
	}
	if device != "" {
		k.device = "otklik:signin:dev:" + digest(device)
	}
	return k
}

// checkScript answers how long (ms) an attempt must wait; 0 lets it go
// ahead. A known device (ARGV[6] = 1) is held only by its own counter.
var checkScript = redis.NewScript(`
local function over(key, max)
  local n = tonumber(redis.call('GET', key) or '0')
  if n < tonumber(max) then return 0 end
  local t = redis.call('PTTL', key)
  if t < 1 then t = 1 end
  return t
end
if ARGV[6] == '1' then return over(KEYS[5], ARGV[4]) end
local wait = math.max(over(KEYS[1], ARGV[1]), over(KEYS[2], ARGV[2]))
if wait > 0 then return wait end
local n = tonumber(redis.call('GET', KEYS[3]) or '0')
if n < tonumber(ARGV[3]) then return 0 end
if redis.call('SET', KEYS[4], '1', 'PX', ARGV[5], 'NX') then return 0 end
local t = redis.call('PTTL', KEYS[4])
if t < 1 then t = 1 end
return t
`)

// failScript counts one failure under each key; a key's window starts with
// its first failure.
var failScript = redis.NewScript(`
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return 0
`)

// signInWait is how long the attempt must wait before it may be checked; 0
// lets it go ahead.
func (t *throttle) signInWait(ctx context.Context, ip, email, device string) (time.Duration, error) {
	k := keysFor(ip, email, device)
	known := "0"
	if device != "" {
		known = "1"
	}
	l := t.limits
	ms, err := checkScript.Run(ctx, t.rdb, []string{k.pair, k.address, k.account, k.slow, orNone(k.device)},
		l.PairFailures, l.AddressFailures, l.AccountFailures, l.DeviceFailures, l.AccountEvery.Milliseconds(), known).Int64()
	if err != nil {
		return 0, fmt.Errorf("web: sign-in throttle: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// orNone stands in for an absent key, so the script always gets five.
func orNone(k string) string {
	if k == "" {
		return "otklik:signin:dev:none"
	}
	return k
}

// failed counts a wrong password (or an unknown e-mail).
func (t *throttle) failed(ctx context.Context, ip, email, device string) error {
	k := keysFor(ip, email, device)
	keys := []string{k.pair, k.address, k.account}
	if device != "" {
		keys = []string{k.device}
	}
	if err := failScript.Run(ctx, t.rdb, keys, t.limits.Window.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("web: sign-in throttle: %w", err)
	}
	return nil
}

// succeeded clears the counters a successful sign-in vouches for.
func (t *throttle) succeeded(ctx context.Context, ip, email, device string) error {
	k := keysFor(ip, email, device)
	keys := []string{k.pair}
	if device != "" {
		keys = append(keys, k.device)
	}
	if err := t.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("web: sign-in throttle: %w", err)
	}
	return nil
}

// signUpWait takes one of the address's sign-up attempts, or says how long
// to wait for the next.
func (t *throttle) signUpWait(ctx context.Context, ip string) (time.Duration, error) {
	n := t.limits.SignUpsPerMinute
	res, err := t.signUps.Allow(ctx, "otklik:signup:addr:"+digest(ip), redis_rate.Limit{Rate: n, Burst: n, Period: time.Minute})
	if err != nil {
		return 0, fmt.Errorf("web: sign-up throttle: %w", err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}
