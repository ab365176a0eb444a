package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// leaseKey is the Redis key of the polling lease: one process of the
// instance long-polls at a time.
const leaseKey = "otklik:telegram:poll"

var renewLease = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

var releaseLease = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// Poll receives updates until ctx ends: while this process holds the
// lease (taken with SET NX PX and renewed), it long-polls from the offset
// kept in the database and claims each update there before handling it,
// so an update is handled once even when two processes fetch it (a lease
// lost in a pause, a restart). Without the lease it waits and tries again.
func (b *Bot) Poll(ctx context.Context) {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	holder := hex.EncodeToString(raw[:])
	for ctx.Err() == nil {
		ok, err := b.redis.SetNX(ctx, leaseKey, holder, b.lease).Result()
		if err != nil && ctx.Err() == nil {
			b.log.Warn("telegram: polling lease", "error", err)
		}
		if ok {
			b.pollHeld(ctx, holder)
		}
		sleep(ctx, b.lease/3)
	}
	_ = releaseLease.Run(context.WithoutCancel(ctx), b.redis, []string{leaseKey}, holder).Err()
}

// pollHeld polls while the lease is this process's, renewing it.
func (b *Bot) pollHeld(ctx context.Context, holder string) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			sleep(ctx, b.lease/3)
			if ctx.Err() != nil {
				return
			}
			n, err := renewLease.Run(ctx, b.redis, []string{leaseKey}, holder, b.lease.Milliseconds()).Int()
			if err != nil || n == 0 {
				if ctx.Err() == nil {
					b.log.Warn("telegram: polling lease lost", "error", err)
				}
				cancel()
				return
			}
		}
	}()
	failures := 0
	for ctx.Err() == nil {
		offset, err := b.store.TelegramOffset(ctx)
		if err == nil {
			err = b.receive(ctx, offset)
		}
		if err == nil {
			failures = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		failures++
		wait, ok := RetryAfter(err)
		if !ok {
			wait = min(time.Second<<min(failures, 5), 30*time.Second)
		}
		b.log.Warn("telegram: getUpdates", "error", err, "retry_in", wait.String())
		sleep(ctx, wait)
	}
}

// receive fetches the updates from offset and handles each one this
// process claims.
func (b *Bot) receive(ctx context.Context, offset int64) error {
	updates, err := b.client.Updates(ctx, offset, b.pollWait)
	if err != nil {
		return err
	}
	for i := range updates {
		if ctx.Err() != nil {
			return nil // the lease is gone: the next holder reads them again
		}
		claimed, err := b.store.ClaimTelegramUpdate(ctx, updates[i].ID)
		if err != nil {
			return err
		}
		if !claimed {
			continue
		}
		// Once claimed it is handled to the end, lease or not.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		b.handle(hctx, &updates[i])
		cancel()
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
