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

// reserveScript books the next moment the bucket allows a request and
// returns how long until then (seconds), or, when that is further away
// than ARGV[3] seconds, books nothing and returns the wait negated.
var reserveScript = redis.NewScript(`
redis.replicate_commands()
local interval = tonumber(ARGV[1])
local burst_offset = interval * tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + (t[2] / 1000000)
local tat = tonumber(redis.call("GET", KEYS[1]) or now)
tat = math.max(tat, now)
local new_tat = tat + interval
local wait = math.max(0, new_tat - burst_offset - now)
if wait > horizon then return tostring(-wait) end
redis.call("SET", KEYS[1], new_tat, "EX", math.ceil(new_tat - now))
return tostring(wait)
`)

// Wait blocks until the budget has room for one request or ctx ends. It
// books a moment no further away than ctx allows, so a request that could
// not be sent in time takes nothing from the others.
func (b *Budget) Wait(ctx context.Context) error {
	for {
		horizon := 3600.0
		if dl, ok := ctx.Deadline(); ok {
			horizon = time.Until(dl).Seconds()
		}
		raw, err := reserveScript.Run(ctx, b.rdb, []string{b.key}, b.interval, b.burst, horizon).Text()
		if err != nil {
			return fmt.Errorf("tasks: hh request budget: %w", err)
		}
		wait, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("tasks: hh request budget: %q: %w", raw, err)
		}
		if wait >= 0 {
			return sleep(ctx, time.Duration(wait*float64(time.Second)))
		}
		// Too far away for ctx: wait for its end (or for the moment, if
		// ctx was given more time meanwhile) without taking the moment.
		if err := sleep(ctx, min(time.Duration(-wait*float64(time.Second)), time.Until(deadlineOf(ctx)))); err != nil {
			return err
		}
	}
}

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

// sincePost queues on pipe the read of when the account's last application
// POST ended, and returns how to turn its reply into how long the account
// must still wait for interval to pass (0 when it has). A booked slot is not
// enough: a POST held up by the shared budget or a slow hh ends later than
// its slot, and the next one must still keep the gap. The read goes with
// the account's lock (Locks.takeWith), in the same round trip.
func (p *Pacer) sincePost(ctx context.Context, pipe redis.Pipeliner, userID int64) func() (time.Duration, error) {
	if p.interval <= 0 {
		return func() (time.Duration, error) { return 0, nil }
	}
	get := pipe.Get(ctx, postedKey(userID))
	return func() (time.Duration, error) {
		last, err := get.Int64() // Unix µs
		if errors.Is(err, redis.Nil) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("tasks: pace user %d: %w", userID, err)
		}
		return max(0, time.Until(time.UnixMicro(last).Add(p.interval))), nil
	}
}

// posted queues on pipe the record that the account's application POST
// ended at (made, answered or abandoned), for sincePost, and forgets the
// application's booked slot, so a later attempt (after a failure) waits for
// a new one.
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
	return l.takeWith(ctx, key, ttl, wait, nil)
}

// takeWith takes the lock as take does, each attempt in one round trip with
// the commands also queues (run after the attempt; nil: none; their replies
// are those of the attempt that took the lock).
func (l Locks) takeWith(ctx context.Context, key string, ttl, wait time.Duration, also func(redis.Pipeliner)) (string, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	deadline := time.Now().Add(wait)
	poll := 50 * time.Millisecond
	for {
		pipe := l.rdb.Pipeline()
		set := pipe.SetNX(ctx, key, token, ttl)
		if also != nil {
			also(pipe)
		}
		_, err := pipe.Exec(ctx)
		if err == nil || errors.Is(err, redis.Nil) {
			err = set.Err() // a queued read finding nothing is its own business
		}
		if err != nil {
			return "", fmt.Errorf("tasks: lock %s: %w", key, err)
		}
		if set.Val() {
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
