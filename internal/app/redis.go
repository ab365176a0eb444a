package app

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the Redis Otklik uses: asynq's connection options and a go-redis
// client for the shared budget, pacing and locks.
type Redis struct {
	Conn   asynq.RedisConnOpt
	Client redis.UniversalClient
	// Embedded is set when the Redis runs in this process.
	Embedded *miniredis.Miniredis
	stop     chan struct{}
}

// ConnectRedis connects to REDIS_URL.
func ConnectRedis(ctx context.Context, url string) (*Redis, error) {
	conn, err := asynq.ParseRedisURI(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("REDIS_URL: Redis does not answer: %w", err)
	}
	return &Redis{Conn: conn, Client: rdb}, nil
}

// StartEmbeddedRedis runs an in-process Redis (miniredis) on a loopback port.
// miniredis does not expire keys by itself, so its clock is advanced in step
// with real time.
func StartEmbeddedRedis() (*Redis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	r := &Redis{
		Conn:     asynq.RedisClientOpt{Addr: m.Addr()},
		Client:   redis.NewClient(&redis.Options{Addr: m.Addr()}),
		Embedded: m,
		stop:     make(chan struct{}),
	}
	go func() {
		const step = 250 * time.Millisecond
		t := time.NewTicker(step)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				m.FastForward(step)
			}
		}
	}()
	return r, nil
}

// Ping checks Redis (readiness).
func (r *Redis) Ping(ctx context.Context) error { return r.Client.Ping(ctx).Err() }

// Close closes the client and stops an embedded server.
func (r *Redis) Close() error {
	err := r.Client.Close()
	if r.Embedded != nil {
		close(r.stop)
		r.Embedded.Close()
	}
	return err
}
