package clustermetrics

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// redisDB is this package's own database when REDIS_URL is set: `go test
// ./...` runs packages in parallel (tasks 1, web 2, loadtest 4, faults 5).
const redisDB = 6

// testRedis returns a client on REDIS_URL's server (database 6, emptied of
// this package's key only) or on a private in-process Redis.
func testRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	var rdb *redis.Client
	if url := os.Getenv("REDIS_URL"); url != "" {
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		opt.DB = redisDB
		rdb = redis.NewClient(opt)
	} else {
		rdb = redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	}
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Del(context.Background(), Key).Err(); err != nil {
		t.Fatal(err)
	}
	return rdb
}

var testSeries = []Series{
	{Name: "otklik_hh_requests_total", Help: "hh requests.", Labels: []string{"op", "status"}},
	{Name: "otklik_applications_total", Help: "outcomes.", Labels: []string{"outcome"}},
}

// Two processes' tallies add up in the collector any process serves.
func TestTalliesOfTwoProcessesAddUp(t *testing.T) {
	rdb := testRedis(t)
	a, b := NewTally(rdb, nil), NewTally(rdb, nil)

	var wg sync.WaitGroup
	for _, tl := range []*Tally{a, b} {
		wg.Go(func() {
			for range 500 {
				tl.Add("otklik_hh_requests_total", "apply", "201")
			}
			tl.Add("otklik_applications_total", "applied")
		})
	}
	wg.Wait()
	a.Add("otklik_hh_requests_total", "similar_vacancies", "200")
	ctx := context.Background()
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil { // Close without Start flushes too
		t.Fatal(err)
	}

	c := NewCollector(rdb, testSeries...)
	want := map[string]float64{
		`otklik_applications_total{outcome="applied"}`:                  2,
		`otklik_hh_requests_total{op="apply",status="201"}`:             1000,
		`otklik_hh_requests_total{op="similar_vacancies",status="200"}`: 1,
		`otklik_cluster_metrics_up`:                                     1,
	}
	if got := gather(t, c); !maps.Equal(got, want) {
		t.Fatalf("collected %v\nwant %v", got, want)
	}

	// A second flush adds only what is new.
	a.Add("otklik_applications_total", "applied")
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := gather(t, c)[`otklik_applications_total{outcome="applied"}`]; got != 3 {
		t.Fatalf("applied after second flush = %v, want 3", got)
	}
}

// Counts made while Redis is unreachable are kept and land on the next
// successful flush.
func TestFailedFlushKeepsCounts(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	tl := NewTally(rdb, nil)
	for range 7 {
		tl.Add("otklik_applications_total", "review")
	}
	m.SetError("LOADING Redis is loading the dataset in memory")
	if err := tl.Flush(context.Background()); err == nil {
		t.Fatal("flush succeeded against a failing Redis")
	}
	m.SetError("")
	tl.Add("otklik_applications_total", "review")
	if err := tl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := m.HGet(Key, "otklik_applications_total"+sep+"review"); got != "8" {
		t.Fatalf("review count in Redis = %q, want 8", got)
	}
}

// Fields with the wrong number of labels or of unknown series are skipped,
// not turned into a collection error.
func TestCollectorSkipsForeignFields(t *testing.T) {
	rdb := testRedis(t)
	ctx := context.Background()
	rdb.HSet(ctx, Key, "otklik_applications_total"+sep+"applied", "4")
	rdb.HSet(ctx, Key, "otklik_applications_total", "9")              // no label
	rdb.HSet(ctx, Key, "otklik_unknown_total"+sep+"x", "1")           // not ours
	rdb.HSet(ctx, Key, "otklik_applications_total"+sep+"bad", "many") // not a number
	got := gather(t, NewCollector(rdb, testSeries...))
	want := map[string]float64{`otklik_applications_total{outcome="applied"}`: 4, `otklik_cluster_metrics_up`: 1}
	if !maps.Equal(got, want) {
		t.Fatalf("collected %v, want %v", got, want)
	}
}

// An unreachable Redis shows as up 0, not as a failed scrape.
func TestCollectorReportsRedisDown(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	m.Close()
	got := gather(t, NewCollector(rdb, testSeries...))
	if want := map[string]float64{`otklik_cluster_metrics_up`: 0}; !maps.Equal(got, want) {
		t.Fatalf("collected %v, want %v", got, want)
	}
}

// gather registers c alone and returns each sample as name{labels} → value.
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := f.GetName()
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}
