package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/tasks"
)

// tickFigures are the scheduler tick's own cost over the world's rules,
// measured in the harness process once the worker processes have stopped.
type tickFigures struct {
	Rules       int
	AllDueCPU   time.Duration // the one tick that found every rule due
	AllDueWall  time.Duration
	NoneDueCPU  time.Duration // median of the ticks that found none due
	NoneDueWall time.Duration
	Ticks       int
	Enqueued    int // rule runs pending after the every-due tick
}

// scheduledRuns counts the rule runs waiting in the queues.
func (w *world) scheduledRuns() (int, error) {
	n := 0
	for _, q := range []string{tasks.QueueDefault, tasks.QueueCritical} {
		info, err := w.insp.GetQueueInfo(q)
		if err != nil {
			return 0, err
		}
		n += info.Pending
	}
	return n, nil
}

// measureTick runs the tick as a worker's cron would: first with every rule
// due (it enqueues their runs; no worker runs them), then, with every rule
// deferred by a day, o.Ticks times more, as in a quiet minute.
func (w *world) measureTick(ctx context.Context) (*tickFigures, error) {
	wk, err := tasks.New(tasks.Deps{
		Store: w.store, Redis: w.rdb, Queue: w.queue,
		HH: hh.Config{
			APIURL: w.hhURL, OAuthURL: w.hhURL,
			UserAgent: "OtklikLoadtest/1.0 (loadtest@otklik.example)",
			ClientID:  w.sandbox.ClientID(), ClientSecret: w.sandbox.ClientSecret(),
		},
		RateLimit: w.o.Rate, ApplyInterval: w.o.ApplyInterval,
		BaseURL: "http://otklik.loadtest", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	f := &tickFigures{Ticks: w.o.Ticks}
	for _, u := range w.users {
		f.Rules += len(u.RuleIDs)
	}
	timed := func() (cpu, wall time.Duration, err error) {
		c0, t0 := processCPU(), time.Now()
		err = wk.Tick(ctx)
		return processCPU() - c0, time.Since(t0), err
	}
	setAll := func(at time.Time) error {
		for _, u := range w.users {
			for _, id := range u.RuleIDs {
				if err := w.store.DeferRule(ctx, u.ID, id, at); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := setAll(time.Now().Add(-time.Minute)); err != nil {
		return nil, err
	}
	if f.AllDueCPU, f.AllDueWall, err = timed(); err != nil {
		return nil, fmt.Errorf("tick, every rule due: %w", err)
	}
	if f.Enqueued, err = w.scheduledRuns(); err != nil {
		return nil, err
	}
	if err := setAll(time.Now().Add(24 * time.Hour)); err != nil {
		return nil, err
	}
	var cpus, walls []time.Duration
	for range w.o.Ticks {
		cpu, wall, err := timed()
		if err != nil {
			return nil, fmt.Errorf("tick, no rule due: %w", err)
		}
		cpus, walls = append(cpus, cpu), append(walls, wall)
	}
	slices.Sort(cpus)
	slices.Sort(walls)
	f.NoneDueCPU, f.NoneDueWall = cpus[len(cpus)/2], walls[len(walls)/2]
	return f, nil
}

func (f *tickFigures) write(w io.Writer) {
	fmt.Fprintf(w, "Scheduler tick over %d rules (harness process CPU, which includes SQLite and the Redis client; an embedded Redis's work too):\n\n", f.Rules)
	fmt.Fprintln(w, "| tick | CPU, ms | wall, ms |")
	fmt.Fprintln(w, "|---|---:|---:|")
	fmt.Fprintf(w, "| every rule due (%d runs pending after it) | %d | %d |\n", f.Enqueued, f.AllDueCPU.Milliseconds(), f.AllDueWall.Milliseconds())
	fmt.Fprintf(w, "| none due, median of %d (a quiet minute) | %d | %d |\n\n", f.Ticks, f.NoneDueCPU.Milliseconds(), f.NoneDueWall.Milliseconds())
}
