package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// An idle worker costs little only if it does not poll. asynq's server looks
// for tasks, moves due ones, beats its heart and pings Redis on timers of its
// own, every second or few, whether or not there is anything to do: about
// 2–3 ms of CPU a second. So a worker that has had nothing to do for
// dozeAfter stops its server and, until work appears, only looks every
// dozeWatch (one Redis script) for a task pending, a scheduled or
// retried one coming due, or a crashed worker's task to recover; then it
// starts a new server.
const (
	dozeAfter = 3 * time.Second
	dozeWatch = 5 * time.Second
)

// dozer runs the asynq server while there is work and stops it while there
// is none.
type dozer struct {
	rdb     redis.UniversalClient
	cfg     asynq.Config
	handler asynq.Handler
	// prefixes are the queues' asynq key prefixes.
	prefixes []string
	logger   *slog.Logger
	// shift, when set, watches for a change of mode (busy.go).
	shift *shifter

	mu       sync.Mutex
	awake    *dozeServer   // nil while dozing
	draining []*dozeServer // stopped, finishing a task that slipped in
	stop     chan struct{}
	done     chan struct{}
	// since is when the server was started, or stopped while dozing.
	since time.Time
}

// dozeServer is one asynq server and the tasks it is running.
type dozeServer struct {
	srv    *asynq.Server
	active atomic.Int64
	last   atomic.Int64 // Unix ns of the last task start or end
}

func (s *dozeServer) middleware(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		s.active.Add(1)
		s.last.Store(time.Now().UnixNano())
		defer func() {
			s.last.Store(time.Now().UnixNano())
			s.active.Add(-1)
		}()
		return h.ProcessTask(ctx, t)
	})
}

func startDozer(rdb redis.UniversalClient, cfg asynq.Config, handler asynq.Handler, shift *shifter, logger *slog.Logger) (*dozer, error) {
	d := &dozer{rdb: rdb, cfg: cfg, handler: handler, shift: shift, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	for q := range cfg.Queues {
		d.prefixes = append(d.prefixes, "asynq:{"+q+"}:")
	}
	if err := d.wake(); err != nil {
		return nil, err
	}
	go d.loop()
	return d, nil
}

// wake starts a new server.
func (d *dozer) wake() error {
	s := &dozeServer{}
	s.last.Store(time.Now().UnixNano())
	s.srv = asynq.NewServerFromRedisClient(d.rdb, d.cfg)
	if err := s.srv.Start(s.middleware(d.handler)); err != nil {
		return err
	}
	d.mu.Lock()
	d.awake = s
	d.since = time.Now()
	d.mu.Unlock()
	return nil
}

// doze stops the server. A task it took between the last look and the stop
// is finished by it in the background while a new server carries on.
func (d *dozer) doze() {
	d.mu.Lock()
	s := d.awake
	d.awake = nil
	d.since = time.Now()
	d.mu.Unlock()
	s.srv.Stop() // takes no more tasks
	if s.active.Load() == 0 {
		s.srv.Shutdown()
		return
	}
	d.mu.Lock()
	d.draining = append(d.draining, s)
	d.mu.Unlock()
	if err := d.wake(); err != nil {
		d.logger.Warn("worker could not start its task server again", "error", err)
	}
}

func (d *dozer) loop() {
	defer close(d.done)
	t := time.NewTimer(dozeAfter)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
		}
		d.shutDrained()
		d.mu.Lock()
		s, since := d.awake, d.since
		d.mu.Unlock()
		if d.shift != nil {
			if s == nil {
				d.shift.dozing(time.Since(since))
			} else {
				d.shift.awake(time.Since(since))
			}
		}
		if s == nil {
			if due, err := d.workDue(dozeWatch); err == nil && !due {
				t.Reset(dozeWatch)
				continue
			}
			// Work, or Redis did not say: a running server finds out.
			if err := d.wake(); err != nil {
				d.logger.Warn("worker could not start its task server", "error", err)
				t.Reset(dozeWatch)
				continue
			}
			t.Reset(dozeAfter)
			continue
		}
		idle := time.Since(time.Unix(0, s.last.Load()))
		if s.active.Load() > 0 || idle < dozeAfter {
			t.Reset(max(dozeAfter-idle, time.Second))
			continue
		}
		if due, err := d.workDue(dozeAfter); err != nil || due {
			t.Reset(dozeAfter)
			continue
		}
		d.doze()
		t.Reset(dozeWatch)
	}
}

// shutDrained shuts the stopped servers whose last task has ended.
func (d *dozer) shutDrained() {
	d.mu.Lock()
	var done []*dozeServer
	keep := d.draining[:0]
	for _, s := range d.draining {
		if s.active.Load() == 0 {
			done = append(done, s)
		} else {
			keep = append(keep, s)
		}
	}
	d.draining = keep
	d.mu.Unlock()
	for _, s := range done {
		s.srv.Shutdown()
	}
}

// workDueScript answers workDue for the queues whose key prefixes are
// KEYS: 1 when one has a task pending, a scheduled or retried task due by
// ARGV[1] (Unix seconds), or a task whose lease ran out by ARGV[2].
var workDueScript = redis.NewScript(`
for _, prefix in ipairs(KEYS) do
  if redis.call("LLEN", prefix .. "pending") > 0
    or redis.call("ZCOUNT", prefix .. "scheduled", "-inf", ARGV[1]) > 0
    or redis.call("ZCOUNT", prefix .. "retry", "-inf", ARGV[1]) > 0
    or redis.call("ZCOUNT", prefix .. "lease", "-inf", ARGV[2]) > 0 then
    return 1
  end
end
return 0
`)

// workDue reports whether any queue has a task pending, a scheduled or
// retried task due within horizon, or a task whose lease ran out (its worker
// died; a running server's recoverer requeues it). One round trip, reading
// asynq's keys.
func (d *dozer) workDue(horizon time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	n, err := workDueScript.Run(ctx, d.rdb, d.prefixes, now.Add(horizon).Unix(), now.Unix()).Int()
	return n == 1, err
}

// Shutdown stops looking and shuts every server down, letting running tasks
// finish (asynq's shutdown timeout).
func (d *dozer) Shutdown() {
	close(d.stop)
	<-d.done
	d.mu.Lock()
	servers := d.draining
	if d.awake != nil {
		servers = append(servers, d.awake)
	}
	d.awake, d.draining = nil, nil
	d.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(s.srv.Shutdown)
	}
	wg.Wait()
}
