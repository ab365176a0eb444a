package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Budget is the hh request budget shared by every worker process (and the web
// app) through Redis: hh counts requests per IP, so all of an instance's
// traffic draws from one bucket. It implements hh.Limiter.
//
// The bucket is GCRA (the algorithm and the key of go-redis/redis_rate, so
// processes of an older version sharing the Redis draw from the same
// bucket). A caller reserves its moment in one round trip and sleeps until
// then, instead of asking again and again while the bucket is empty: with
// dozens of handlers waiting, polling cost a Redis script per handler per
// emission interval.
type Budget struct {
	rdb      redis.UniversalClient
	key      string
	interval float64 // seconds between requests
	burst    float64 // requests that may go at once
}

// budgetKey is redis_rate's key for "otklik:hh:budget".
const budgetKey = "rate:otklik:hh:budget"

// NewBudget allows perSecond requests a second (fractions allowed) in total
// over every process sharing rdb.
func NewBudget(rdb redis.UniversalClient, perSecond float64) *Budget {
	return &Budget{rdb: rdb, key: budgetKey, interval: 1 / perSecond, burst: max(1, math.Ceil(perSecond))}
}

// gcraLua defines reserve(key, interval, burst, horizon): it books the next
// moment the bucket at key allows a request and returns how long until then
// (seconds), or, when that is further away than horizon seconds, books
// nothing and returns the wait negated. It is shared by the budget's own
// script and the apply lock's (applyLockScript), which books the POST's
// moment in the lock's round trip.
const gcraLua = `
local function reserve(key, interval, burst, horizon)
  local burst_offset = interval * burst
  local t = redis.call("TIME")
  local now = (t[1] - 1483228800) + (t[2] / 1000000)
  local tat = tonumber(redis.call("GET", key) or now)
  tat = math.max(tat, now)
  local new_tat = tat + interval
  local wait = math.max(0, new_tat - burst_offset - now)
  if wait > horizon then return -wait end
  redis.call("SET", key, new_tat, "EX", math.ceil(new_tat - now))
  return wait
end
`

// reserveScript is reserve over KEYS[1] with ARGV[1..3].
var reserveScript = redis.NewScript(`redis.replicate_commands()` + gcraLua + `
return tostring(reserve(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])))
`)

// horizon is how far ahead a moment may be booked for ctx: its deadline, or
// an hour.
func horizon(ctx context.Context) float64 {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl).Seconds()
	}
	return 3600
}

// bookedKey is the context key of a moment already booked for a request.
type bookedKey struct{}

// booked is a moment of the budget booked ahead for one request (the apply
// lock books its POST's). The first Wait on a context carrying it sleeps
// until then instead of booking another; later ones book as usual.
type booked struct {
	at   time.Time
	used atomic.Bool
}

// withBooked returns ctx carrying a budget moment booked for its next
// request.
func withBooked(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, bookedKey{}, &booked{at: at})
}

// Wait blocks until the budget has room for one request or ctx ends. It
// books a moment no further away than ctx allows, so a request that could
// not be sent in time takes nothing from the others.
func (b *Budget) Wait(ctx context.Context) error {
	if bk, ok := ctx.Value(bookedKey{}).(*booked); ok && bk.used.CompareAndSwap(false, true) {
		return sleep(ctx, time.Until(bk.at))
	}
	for {
		raw, err := reserveScript.Run(ctx, b.rdb, []string{b.key}, b.interval, b.burst, horizon(ctx)).Text()
		if err != nil {
			return fmt.Errorf("tasks: hh request budget: %w", err)
		}
		wait, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("tasks: hh request budget: %q: %w", raw, err)
		}
		if wait >= 0 {
			return sleep(ctx, seconds(wait))
		}
		// Too far away for ctx: wait for its end (or for the moment, if
		// ctx was given more time meanwhile) without taking the moment.
		if err := sleep(ctx, min(seconds(-wait), time.Until(deadlineOf(ctx)))); err != nil {
			return err
		}
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func deadlineOf(ctx context.Context) time.Time {
	dl, _ := ctx.Deadline()
	return dl
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// paceScript books application slots in their account's sequence: an
// application that already holds a slot gets it back (so a task that went
// back to the queue to wait keeps its place); each other one takes the
// account's next free slot and moves that one its gap further. KEYS[1] is
// the account's next free slot, KEYS[2..] the applications' slots, ARGV[1]
// now and ARGV[2..] each application's gap (ms). It returns how long each
// must wait (ms), in order.
var paceScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local booked = false
local out = {}
for i = 2, #KEYS do
  local mine = redis.call('GET', KEYS[i])
  if mine then
    out[i - 1] = tonumber(mine) - now
  else
    local slot = math.max(now, nxt)
    nxt = slot + tonumber(ARGV[i])
    booked = true
    redis.call('SET', KEYS[i], tostring(slot), 'PX', math.floor(slot - now + 600000))
    out[i - 1] = slot - now
  end
end
if booked then
  redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.floor(nxt - now + 60000))
end
return out
`)

// Pacer spaces one account's applications at least interval apart (plus up to
// a quarter of it as jitter), across every worker process.
type Pacer struct {
	rdb      redis.UniversalClient
	interval time.Duration
}

// NewPacer paces applications interval apart.
func NewPacer(rdb redis.UniversalClient, interval time.Duration) *Pacer {
	return &Pacer{rdb: rdb, interval: interval}
}

// paceKeys are the account's next free slot and the applications' booked
// slots; the hash tag keeps them on one Redis Cluster slot.
func paceKeys(userID int64, appIDs ...int64) []string {
	keys := []string{fmt.Sprintf("otklik:pace:{%d}", userID)}
	for _, id := range appIDs {
		keys = append(keys, fmt.Sprintf("otklik:pace:{%d}:app:%d", userID, id))
	}
	return keys
}

// Reserve books the application's slot (or finds the one it booked before)
// and returns how long to wait for it.
func (p *Pacer) Reserve(ctx context.Context, userID, appID int64) (time.Duration, error) {
	waits, err := p.ReserveAll(ctx, userID, []int64{appID})
	if err != nil {
		return 0, err
	}
	return waits[0], nil
}

// ReserveAll books the slots of one account's applications in the order
// given, in one round trip, as Reserve books each, and returns how long each
// must wait.
func (p *Pacer) ReserveAll(ctx context.Context, userID int64, appIDs []int64) ([]time.Duration, error) {
	waits := make([]time.Duration, len(appIDs))
	if p.interval <= 0 || len(appIDs) == 0 {
		return waits, nil
	}
	args := make([]any, 1, 1+len(appIDs))
	args[0] = time.Now().UnixMilli()
	for range appIDs {
		gap := p.interval
		if j := int64(p.interval / 4); j > 0 {
			gap += time.Duration(mrand.Int64N(j))
		}
		args = append(args, gap.Milliseconds())
	}
	ms, err := paceScript.Run(ctx, p.rdb, paceKeys(userID, appIDs...), args...).Int64Slice()
	if err == nil && len(ms) != len(appIDs) {
		err = fmt.Errorf("%d slots for %d applications", len(ms), len(appIDs))
	}
	if err != nil {
		return nil, fmt.Errorf("tasks: pace user %d: %w", userID, err)
	}
	for i, m := range ms {
		waits[i] = time.Duration(m) * time.Millisecond
	}
	return waits, nil
}

// postedKey holds when the account's last application POST was made.
func postedKey(userID int64) string { return fmt.Sprintf("otklik:pace:{%d}:posted", userID) }

// applyLockScript takes an account's apply lock and, in the same round
// trip, reads how long the account must still wait for the gap since its
// last POST ended and, when that is nothing, books the POST's moment of the
// shared budget (gcraLua). A booked slot is not enough for the gap: a POST
// held up by the budget or a slow hh ends later than its slot, and the next
// one must still keep it.
//
// KEYS: the lock, the account's last POST (postedKey), the budget. ARGV: the
// lock's token and lease (ms), now and the gap (µs, now on the caller's
// clock, which wrote the last POST's time), the budget's interval (s),
// burst and horizon (s). It returns {0} when the lock is held elsewhere, and
// otherwise {1, the gap still to wait (µs), the wait for the booked moment
// (s), or "" when none was booked}.
var applyLockScript = redis.NewScript(`redis.replicate_commands()` + gcraLua + `
if not redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return {0} end
local last = redis.call("GET", KEYS[2])
if last then
  local gap = tonumber(last) + tonumber(ARGV[4]) - tonumber(ARGV[3])
  if gap > 0 then return {1, tostring(gap), ""} end
end
local wait = reserve(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
if wait < 0 then return {1, "0", ""} end
return {1, "0", tostring(wait)}
`)

// applyTurn is what taking an account's apply lock learned in its round
// trip: how long the gap since the account's last POST still lasts, and,
// when it has passed, the budget moment booked for the POST (zero: none).
type applyTurn struct {
	gap    time.Duration
	moment time.Time
}

// takeApplyLock takes userID's apply lock as Locks.take does, each attempt
// one applyLockScript.
func (w *Worker) takeApplyLock(ctx context.Context, userID int64) (string, applyTurn, error) {
	var turn applyTurn
	keys := []string{ApplyLockKey(userID), postedKey(userID), w.budget.key}
	token, err := w.locks.poll(ctx, keys[0], 5*time.Second, func(token string) (bool, error) {
		now := time.Now()
		res, err := applyLockScript.Run(ctx, w.locks.rdb, keys, token, ApplyLockLease.Milliseconds(),
			now.UnixMicro(), w.pacer.interval.Microseconds(), w.budget.interval, w.budget.burst, horizon(ctx)).Slice()
		if err != nil || len(res) == 0 || res[0] != int64(1) {
			return false, err
		}
		if len(res) != 3 {
			return false, fmt.Errorf("lock script answered %v", res)
		}
		gap, gerr := strconv.ParseFloat(fmt.Sprint(res[1]), 64)
		turn = applyTurn{gap: time.Duration(gap) * time.Microsecond}
		var werr error
		if s := fmt.Sprint(res[2]); s != "" {
			var wait float64
			wait, werr = strconv.ParseFloat(s, 64)
			turn.moment = time.Now().Add(seconds(wait))
		}
		if err := errors.Join(gerr, werr); err != nil {
			return false, fmt.Errorf("lock script answered %v: %w", res, err)
		}
		return true, nil
	})
	return token, turn, err
}

// posted queues on pipe the record that the account's application POST
// ended at (made, answered or abandoned), for the next takeApplyLock's gap,
// and forgets the application's booked slot, so a later attempt (after a
// failure) waits for a new one.
func (p *Pacer) posted(ctx context.Context, pipe redis.Pipeliner, userID, appID int64, at time.Time) {
	if p.interval <= 0 {
		return
	}
	pipe.Set(ctx, postedKey(userID), at.UnixMicro(), p.interval+time.Minute)
	pipe.Del(ctx, paceKeys(userID, appID)[1])
}

// unlockScript deletes a lock only if it still holds our token.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// renewScript extends a lock only if it still holds our token.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// errLocked means another worker holds the lock.
var errLocked = errors.New("tasks: locked by another worker")

// Locks are short Redis leases that make one worker at a time do a thing
// (refresh an account's token, post its applications). A lease expires by
// itself if its holder dies.
type Locks struct{ rdb redis.UniversalClient }

// lockAlive takes key, waiting up to wait for it, for as long as the caller
// holds it: a short lease renewed every third of ttl until the returned func
// releases it, so a holder that dies frees it within ttl, and one that waits
// long (on the shared budget, on hh) keeps it.
func (l Locks) lockAlive(ctx context.Context, key string, ttl, wait time.Duration) (func(), error) {
	token, err := l.take(ctx, key, ttl, wait)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ttl/3)
				_ = renewScript.Run(rctx, l.rdb, []string{key}, token, ttl.Milliseconds()).Err()
				cancel()
			}
		}
	}()
	return func() {
		close(done)
		l.releaseWith(ctx, key, token, nil)
	}, nil
}

// releaseWith deletes the lock if it still holds token, even if ctx has
// ended, in one round trip with the commands also queues (run first; nil:
// none).
func (l Locks) releaseWith(ctx context.Context, key, token string, also func(redis.Pipeliner)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	pipe := l.rdb.Pipeline()
	if also != nil {
		also(pipe)
	}
	unlock := unlockScript.EvalSha(ctx, pipe, []string{key}, token)
	if _, err := pipe.Exec(ctx); err != nil && redis.HasErrorPrefix(unlock.Err(), "NOSCRIPT") {
		// A Redis that lost its scripts (restarted): the script's text.
		_ = unlockScript.Run(ctx, l.rdb, []string{key}, token).Err()
	}
}

// take sets key to a fresh token for ttl, waiting up to wait for it.
func (l Locks) take(ctx context.Context, key string, ttl, wait time.Duration) (string, error) {
	return l.poll(ctx, key, wait, func(token string) (bool, error) {
		return l.rdb.SetNX(ctx, key, token, ttl).Result()
	})
}

// poll makes attempts to take key with a fresh token until one does
// (attempt reports whether it took the lock) or wait has passed.
func (l Locks) poll(ctx context.Context, key string, wait time.Duration, attempt func(token string) (bool, error)) (string, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	deadline := time.Now().Add(wait)
	poll := 50 * time.Millisecond
	for {
		took, err := attempt(token)
		if err != nil {
			return "", fmt.Errorf("tasks: lock %s: %w", key, err)
		}
		if took {
			return token, nil
		}
		if time.Now().After(deadline) {
			return "", errLocked
		}
		// An apply lock is held through a POST and the account's gap
		// before it, up to seconds: the waits double, from 50 ms up to
		// maxLockPoll, so a waiter asks a few times rather than dozens.
		if err := sleep(ctx, poll+time.Duration(mrand.Int64N(int64(poll)))); err != nil {
			return "", err
		}
		poll = min(2*poll, maxLockPoll)
	}
}

// maxLockPoll is the longest a lock's waiter sleeps (plus up to as much
// again of jitter) before asking again.
const maxLockPoll = 200 * time.Millisecond
