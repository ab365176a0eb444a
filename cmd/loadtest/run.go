package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// run sets up the world, runs the rounds and returns the report.
func run(ctx context.Context, o options, progress io.Writer) (*report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	dir, err := os.MkdirTemp("", "otklik-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	rep := &report{Options: o, Machine: describeMachine()}
	setupStart := time.Now()
	w, err := newWorld(ctx, o, dir)
	if err != nil {
		return nil, err
	}
	defer w.close()
	fmt.Fprintf(progress, "loadtest: connecting %d users, %d rules each…\n", o.Users, o.Rules)
	if err := w.populate(ctx); err != nil {
		return nil, fmt.Errorf("populate: %w", err)
	}
	w.sandbox.SetFaults(hhFaults(o))
	rep.Setup = time.Since(setupStart)

	var procs []*workerProc
	for i := range o.Workers {
		p, err := startWorker(w.workerConfig(i))
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
	}
	stopAll := func() {
		for _, p := range procs {
			if err := p.stop(); err != nil {
				fmt.Fprintln(progress, "loadtest: worker exited:", err)
			}
		}
	}
	defer stopAll()

	s := newSampler(w, procs)
	go s.run(ctx)

	r1, err := w.round(ctx, "first run", s, progress)
	rep.Rounds = append(rep.Rounds, r1)
	if err != nil {
		return rep, err
	}
	if o.Steady {
		if o.CPUProfile != "" {
			for _, p := range procs {
				_ = p.cmd.Process.Signal(syscall.SIGUSR1) // the next round's profile
			}
		}
		w.sandbox.PublishNew(o.NewVacancies)
		r2, err := w.round(ctx, "steady state", s, progress)
		rep.Rounds = append(rep.Rounds, r2)
		if err != nil {
			return rep, err
		}
	}
	stopAll()
	if o.Ticks > 0 {
		if rep.Tick, err = w.measureTick(ctx); err != nil {
			return rep, err
		}
	}
	for _, p := range procs {
		rep.WorkerCPU += p.cpu()
		rep.WorkerMaxRSS = max(rep.WorkerMaxRSS, p.maxRSS())
	}
	rep.HarnessCPU = processCPU()
	rep.Timings = readTimings(procs)
	for i := range rep.Rounds {
		rep.Rounds[i].attachTimings(rep.Timings)
	}
	return rep, nil
}

// round runs every rule once ("run now", as the web's button does) and waits
// until the queues are empty.
func (w *world) round(ctx context.Context, name string, s *sampler, progress io.Writer) (*round, error) {
	r := &round{Name: name, Start: time.Now(), Enqueued: map[int64]time.Time{}}
	r.Before = w.counts.Snapshot()
	r.AppsBefore = len(w.sandbox.Applications())
	r.CPUBefore = s.workerCPU()
	jobs := tasks.Jobs{Queue: w.queue, Store: w.store, Inspector: w.insp}
	fmt.Fprintf(progress, "loadtest: %s: running %d rules…\n", name, len(w.users)*w.o.Rules)
	for _, u := range w.users {
		for _, id := range u.RuleIDs {
			r.Enqueued[id] = time.Now()
			if err := jobs.RunRule(ctx, u.ID, id); err != nil {
				return r, err
			}
			r.Runs++
		}
	}
	err := s.waitIdle(ctx, r.Start, progress)
	r.Complete = err == nil
	r.End = s.lastBusy()
	if r.End.Before(r.Start) {
		r.End = time.Now()
	}
	r.After = w.counts.Snapshot()
	r.AppsAfter = len(w.sandbox.Applications())
	r.CPUAfter = s.workerCPU()
	r.PeakRSS = s.workerPeakRSS()
	r.Samples = s.since(r.Start)
	if lerr := w.ledgerFigures(ctx, r); lerr != nil {
		return r, errors.Join(err, lerr)
	}
	return r, err
}

// ledgerFigures reads what the round did from the store: outcomes, the rule
// runs' own request counts, the floor, and enqueue→done latencies.
func (w *world) ledgerFigures(ctx context.Context, r *round) error {
	r.Outcomes = map[store.ApplicationStatus]int{}
	for _, u := range w.users {
		rows, err := w.store.ListApplications(ctx, u.ID, store.ApplicationFilter{From: r.Start})
		if err != nil {
			return err
		}
		for _, a := range rows {
			r.Outcomes[a.Status]++
			if a.Status == store.StatusApplied && !a.AppliedAt.IsZero() {
				r.ApplyLatency = append(r.ApplyLatency, a.AppliedAt.Sub(a.CreatedAt))
			}
		}
		for _, ruleID := range u.RuleIDs {
			runs, err := w.store.LastRuns(ctx, u.ID, ruleID, 5)
			if err != nil {
				return err
			}
			for _, run := range runs {
				if run.StartedAt.Before(r.Start) {
					continue
				}
				r.RunsRecorded++
				r.RunHHRequests += run.HHRequests
				decided := run.Queued + run.Review + run.Skipped + run.Applied + run.Failed
				r.FloorPages += max(1, (decided+99)/100)
				if run.FinishedAt != nil {
					r.RunLatency = append(r.RunLatency, run.FinishedAt.Sub(r.Enqueued[ruleID]))
				}
				if run.Error != "" {
					r.RunErrors++
				}
			}
		}
	}
	return nil
}

// sample is the queues and the worker processes at one instant.
type sample struct {
	At                                time.Time
	Pending, Scheduled, Active, Retry int
	Applied                           int // 201s at the sandbox so far
	Searches, Posts                   int64
	CPU                               time.Duration // worker processes, user+system
	RSS                               int64         // the largest worker's peak resident set
	busy                              bool          // work queued or running (or the inspector failed)
	inspectErr                        error
}

// sampler reads queue depth (asynq.Inspector) and the workers' CPU and
// memory (/proc) once a second.
type sampler struct {
	w     *world
	procs []*workerProc
	mu    sync.Mutex
	list  []sample
	tick  chan struct{}
}

func newSampler(w *world, procs []*workerProc) *sampler {
	return &sampler{w: w, procs: procs, tick: make(chan struct{}, 1)}
}

func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		s.take()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *sampler) take() {
	sm := sample{At: time.Now()}
	queues, err := s.w.insp.Queues() // a queue exists once a task was enqueued to it
	if err != nil {
		sm.inspectErr = err
	}
	for _, q := range queues {
		info, err := s.w.insp.GetQueueInfo(q)
		if err != nil {
			sm.inspectErr = err
			continue
		}
		sm.Pending += info.Pending
		sm.Scheduled += info.Scheduled
		sm.Active += info.Active
		sm.Retry += info.Retry
	}
	sm.busy = sm.Pending+sm.Scheduled+sm.Active+sm.Retry > 0 || sm.inspectErr != nil
	sm.Applied = len(s.w.sandbox.Applications())
	c := s.w.counts.Snapshot()
	sm.Searches, sm.Posts = c.Search, c.Apply
	for _, p := range s.procs {
		cpu, rss := procStat(p.cmd.Process.Pid)
		sm.CPU += cpu
		sm.RSS = max(sm.RSS, rss)
	}
	s.mu.Lock()
	s.list = append(s.list, sm)
	s.mu.Unlock()
	select {
	case s.tick <- struct{}{}:
	default:
	}
}

// waitIdle waits until three samples in a row, taken after start, find
// every queue empty.
func (s *sampler) waitIdle(ctx context.Context, start time.Time, progress io.Writer) error {
	lastPrint := time.Now()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("work did not settle: %w", ctx.Err())
		case <-s.tick:
		}
		s.mu.Lock()
		list := s.list
		idle := 0
		for i := len(list) - 1; i >= 0 && list[i].At.After(start) && !list[i].busy; i-- {
			idle++
		}
		last := list[len(list)-1]
		s.mu.Unlock()
		if time.Since(lastPrint) >= 10*time.Second {
			lastPrint = time.Now()
			fmt.Fprintf(progress, "loadtest:   %3.0fs pending=%d scheduled=%d active=%d retry=%d applied=%d\n",
				time.Since(start).Seconds(), last.Pending, last.Scheduled, last.Active, last.Retry, last.Applied)
			if last.inspectErr != nil {
				fmt.Fprintln(progress, "loadtest:   queue inspector:", last.inspectErr)
			}
		}
		if idle >= 3 {
			return nil
		}
	}
}

// lastBusy is the time of the last sample that saw work, or of the first
// idle one after it: the round ended in between.
func (s *sampler) lastBusy() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.list) - 1; i >= 0; i-- {
		if s.list[i].busy {
			if i+1 < len(s.list) {
				return s.list[i+1].At
			}
			return s.list[i].At
		}
	}
	return time.Time{}
}

func (s *sampler) since(t time.Time) []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sample
	for _, sm := range s.list {
		if !sm.At.Before(t) {
			out = append(out, sm)
		}
	}
	return out
}

func (s *sampler) workerCPU() time.Duration {
	var total time.Duration
	for _, p := range s.procs {
		cpu, _ := procStat(p.cmd.Process.Pid)
		total += cpu
	}
	return total
}

func (s *sampler) workerPeakRSS() int64 {
	var peak int64
	for _, p := range s.procs {
		_, rss := procStat(p.cmd.Process.Pid)
		peak = max(peak, rss)
	}
	return peak
}
