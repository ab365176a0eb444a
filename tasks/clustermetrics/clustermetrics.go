// Package clustermetrics keeps counters for the whole instance in Redis, so
// that the web's /metrics shows what every worker did, however many run.
//
// Each process adds to its own in-memory tally and flushes it to one Redis
// hash every few seconds (one pipelined HINCRBY per changed series), so
// counting costs a map update, not a Redis round trip. A process killed with
// SIGKILL loses at most one interval of counts; a Redis flush resets the
// counters, which Prometheus reads as a counter reset.
package clustermetrics

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Key is the Redis hash holding the counters.
const Key = "otklik:metrics"

// DefaultInterval is how often a Tally flushes.
const DefaultInterval = 5 * time.Second

// sep joins a series name and its label values in a hash field. It cannot
// appear in a metric name or in the label values we count (operation names,
// status codes, task types).
const sep = "\x1f"

// Series describes one counter family.
type Series struct {
	Name   string
	Help   string
	Labels []string
}

// Tally accumulates counts in memory and flushes them to Redis.
type Tally struct {
	rdb redis.UniversalClient
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]int64

	// kick wakes the flusher when a count arrives, so an idle process has
	// no timer firing.
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// NewTally returns a tally flushing to rdb. Call Start to flush on a timer
// and Close to flush the rest.
func NewTally(rdb redis.UniversalClient, logger *slog.Logger) *Tally {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Tally{rdb: rdb, log: logger, pending: map[string]int64{}, kick: make(chan struct{}, 1)}
}

// Add counts one event of series with the given label values.
func (t *Tally) Add(series string, labels ...string) {
	field := series
	if len(labels) > 0 {
		field += sep + strings.Join(labels, sep)
	}
	t.mu.Lock()
	t.pending[field]++
	t.mu.Unlock()
	t.again()
}

// Flush writes what was counted since the last flush. On error the counts
// are kept for the next attempt.
func (t *Tally) Flush(ctx context.Context) error {
	t.mu.Lock()
	batch := t.pending
	t.pending = map[string]int64{}
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	pipe := t.rdb.Pipeline()
	for field, n := range batch {
		pipe.HIncrBy(ctx, Key, field, n)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		// Put the batch back. A partial success may count some series
		// twice; metrics tolerate that better than losing a Redis outage's
		// worth of counts.
		t.mu.Lock()
		for field, n := range batch {
			t.pending[field] += n
		}
		t.mu.Unlock()
		return fmt.Errorf("flush metrics: %w", err)
	}
	return nil
}

// Start flushes every interval (DefaultInterval when zero) until Close,
// while there are counts to flush: after a flush it waits for the next
// count before it starts the next interval.
func (t *Tally) Start(interval time.Duration) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	t.stop, t.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(t.done)
		wait := time.NewTimer(interval)
		defer wait.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-t.kick:
			}
			wait.Reset(interval)
			select {
			case <-t.stop:
				return
			case <-wait.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), interval)
			if err := t.Flush(ctx); err != nil {
				t.log.Warn("metrics not flushed; kept for the next try", "error", err)
				t.again()
			}
			cancel()
		}
	}()
}

// again asks the flusher for a flush an interval from now (one is enough:
// it takes whatever was counted by then).
func (t *Tally) again() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Close stops the timer and flushes what is left.
func (t *Tally) Close() error {
	if t.stop != nil {
		close(t.stop)
		<-t.done
		t.stop = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.Flush(ctx)
}

// Collector exports the counters in Redis as Prometheus counters. Fields of
// series it was not told about are ignored.
type Collector struct {
	rdb   redis.UniversalClient
	descs map[string]*prometheus.Desc
	arity map[string]int
	errs  *prometheus.Desc
}

// NewCollector returns a collector for the given series.
func NewCollector(rdb redis.UniversalClient, series ...Series) *Collector {
	c := &Collector{
		rdb:   rdb,
		descs: map[string]*prometheus.Desc{},
		arity: map[string]int{},
		errs:  prometheus.NewDesc("otklik_cluster_metrics_up", "1 when the instance-wide counters could be read from Redis.", nil, nil),
	}
	for _, s := range series {
		c.descs[s.Name] = prometheus.NewDesc(s.Name, s.Help, s.Labels, nil)
		c.arity[s.Name] = len(s.Labels)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- c.errs
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	all, err := c.rdb.HGetAll(ctx, Key).Result()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.errs, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.GaugeValue, 1)
	for field, raw := range all {
		parts := strings.Split(field, sep)
		desc, ok := c.descs[parts[0]]
		if !ok || len(parts)-1 != c.arity[parts[0]] {
			continue
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(n), parts[1:]...)
	}
}
