package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/otklik/otklik/internal/redisclock"
)

// Redis is the Redis Otklik uses: asynq's connection options and a go-redis
// client for the shared budget, pacing and locks.
type Redis struct {
	Conn   asynq.RedisConnOpt
	Client redis.UniversalClient
	// Embedded is set when the Redis runs in this process.
	Embedded *miniredis.Miniredis
	stop     func() // stops the embedded server's clock
}

// ConnectRedis connects to REDIS_URL: one server (redis:// or rediss://),
// or, when the URL names a master_name, the master that Redis Sentinel
// points at, followed across failovers. In the Sentinel form the host (and
// each addr= parameter) is a sentinel, the user info is the sentinels'
// credentials, and username= / password= are the master's.
func ConnectRedis(ctx context.Context, rawURL string) (*Redis, error) {
	conn, rdb, err := redisFromURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("REDIS_URL: Redis does not answer: %w", err)
	}
	return &Redis{Conn: conn, Client: rdb}, nil
}

// redisFromURL builds asynq's connection and our own client from one URL,
// so both always reach the same Redis.
func redisFromURL(rawURL string) (asynq.RedisConnOpt, redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, errors.New("not a URL")
	}
	if u.Query().Has("master_name") {
		fo, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, nil, err
		}
		if fo.MasterName == "" {
			return nil, nil, errors.New("master_name is empty")
		}
		conn := asynq.RedisFailoverClientOpt{
			MasterName: fo.MasterName, SentinelAddrs: fo.SentinelAddrs,
			SentinelUsername: fo.SentinelUsername, SentinelPassword: fo.SentinelPassword,
			Username: fo.Username, Password: fo.Password, DB: fo.DB, TLSConfig: fo.TLSConfig,
		}
		return conn, redis.NewFailoverClient(fo), nil
	}
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	conn := asynq.RedisClientOpt{
		Network: opt.Network, Addr: opt.Addr, Username: opt.Username, Password: opt.Password,
		DB: opt.DB, TLSConfig: opt.TLSConfig,
	}
	return conn, redis.NewClient(opt), nil
}

// RedactRedisURL is rawURL fit for a log line or a banner: no password,
// neither in the user info nor as a password= parameter.
func RedactRedisURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
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
		stop:     redisclock.Follow(m, 250*time.Millisecond),
	}
	return r, nil
}

// Ping checks Redis (readiness).
func (r *Redis) Ping(ctx context.Context) error { return r.Client.Ping(ctx).Err() }

// Close closes the client and stops an embedded server.
func (r *Redis) Close() error {
	err := r.Client.Close()
	if r.Embedded != nil {
		r.stop()
		r.Embedded.Close()
	}
	return err
}
