package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otklik/otklik/hh/hhsandbox"
	"github.com/otklik/otklik/store"
	"github.com/otklik/otklik/tasks"
)

// round is one pass over every rule and what it cost.
type round struct {
	Name       string
	Start, End time.Time
	Complete   bool                // every task settled before the round ended
	Enqueued   map[int64]time.Time // rule → when its run was enqueued
	Runs       int                 // rule runs enqueued

	Before, After         hhsandbox.Traffic
	AppsBefore, AppsAfter int
	CPUBefore, CPUAfter   time.Duration
	PeakRSS               int64
	Samples               []sample

	Outcomes      map[store.ApplicationStatus]int // rows decided in the round, by status now
	RunsRecorded  int                             // rule_runs rows started in the round
	RunErrors     int
	RunHHRequests int // sum of rule_runs.hh_requests
	FloorPages    int // Σ max(1, ⌈decided/100⌉) over runs

	RunLatency   []time.Duration // enqueue → run finished
	ApplyLatency []time.Duration // ledger row written → applied (includes APPLY_INTERVAL pacing)
	Handler      map[string][]time.Duration
}

// dropUnfinished leaves out rounds cut short (a signal, a time-out): their
// figures would be meaningless.
func (rep *report) dropUnfinished() {
	kept := rep.Rounds[:0]
	for _, r := range rep.Rounds {
		if r.Complete {
			kept = append(kept, r)
		}
	}
	rep.Rounds = kept
}

func (r *round) wall() time.Duration         { return r.End.Sub(r.Start) }
func (r *round) applications() int           { return r.AppsAfter - r.AppsBefore }
func (r *round) requests() hhsandbox.Traffic { return r.After.Sub(r.Before) }
func (r *round) cpu() time.Duration          { return r.CPUAfter - r.CPUBefore }
func (r *round) floor() int {
	return r.applications() + r.FloorPages + int(r.requests().VacancyDistinct)
}
func (r *round) perApp(x float64) float64 { return ratio(x, float64(r.applications())) }
func (r *round) perRun(x float64) float64 { return ratio(x, float64(r.RunsRecorded)) }
func (r *round) appsPerSecond() float64   { return ratio(float64(r.applications()), r.wall().Seconds()) }
func (r *round) requestsPerSecond() float64 {
	return ratio(float64(r.requests().Total()), r.wall().Seconds())
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// timing is one processed task, as a worker process logged it.
type timing struct {
	Type  string
	Start time.Time
	Dur   time.Duration
	OK    bool
}

func readTimings(procs []*workerProc) []timing {
	var out []timing
	for _, p := range procs {
		f, err := os.Open(p.timings)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Split(sc.Text(), "\t")
			if len(fs) != 4 {
				continue
			}
			start, err1 := strconv.ParseInt(fs[1], 10, 64)
			dur, err2 := strconv.ParseInt(fs[2], 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			out = append(out, timing{Type: fs[0], Start: time.Unix(0, start), Dur: time.Duration(dur), OK: fs[3] == "ok"})
		}
		f.Close()
	}
	return out
}

func (r *round) attachTimings(all []timing) {
	r.Handler = map[string][]time.Duration{}
	for _, t := range all {
		if !t.Start.Before(r.Start) && !t.Start.After(r.End) {
			r.Handler[t.Type] = append(r.Handler[t.Type], t.Dur)
		}
	}
}

// percentile is the p-th percentile (0–100) by nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// report is everything the harness prints.
type report struct {
	Options      options
	Machine      string
	Setup        time.Duration
	Rounds       []*round
	WorkerCPU    time.Duration
	WorkerMaxRSS int64
	HarnessCPU   time.Duration
	Tick         *tickFigures // with -tick
	Timings      []timing
}

func (rep *report) write(out io.Writer) {
	o := rep.Options
	w := bufio.NewWriter(out)
	defer w.Flush()
	fmt.Fprintf(w, "## Otklik load test: %d users × %d rules\n\n", o.Users, o.Rules)
	fmt.Fprintf(w, "- machine: %s\n", rep.Machine)
	redis := "embedded (miniredis, loopback)"
	if o.Redis != "embedded" {
		redis = fmt.Sprintf("real Redis, DB %d", o.RedisDB)
	}
	fmt.Fprintf(w, "- settings: catalogue %d vacancies (+%d before the steady round), sandbox latency %s, HH_RATE_LIMIT %g/s, APPLY_INTERVAL %s, rule mode %s, rule daily cap %d, %d worker process(es), concurrency %s, Redis %s\n",
		o.Vacancies, o.NewVacancies, o.Latency, o.Rate, o.ApplyInterval, o.Mode, o.DailyLimit, o.Workers, concurrencyText(o.Concurrency), redis)
	fmt.Fprintf(w, "- database: %s\n", databaseWord(o))
	fmt.Fprintf(w, "- setup (users, tokens, resumes, rules): %s\n\n", rep.Setup.Round(100*time.Millisecond))

	cols := make([]string, len(rep.Rounds))
	for i, r := range rep.Rounds {
		cols[i] = r.Name
	}
	row := func(name string, f func(r *round) string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, r := range rep.Rounds {
			fmt.Fprintf(w, " %s |", f(r))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| | %s |\n|---|%s\n", strings.Join(cols, " | "), strings.Repeat("---:|", len(cols)))
	row("rule runs (recorded / with error)", func(r *round) string { return fmt.Sprintf("%d / %d", r.RunsRecorded, r.RunErrors) })
	row("ledger rows decided: applied / review / skipped / external / failed / queued", func(r *round) string {
		oc := r.Outcomes
		return fmt.Sprintf("%d / %d / %d / %d / %d / %d", oc[store.StatusApplied], oc[store.StatusReview], oc[store.StatusSkipped],
			oc[store.StatusExternal], oc[store.StatusFailed], oc[store.StatusQueued])
	})
	row("applications (201s at hh)", func(r *round) string { return strconv.Itoa(r.applications()) })
	row("wall time, s", func(r *round) string { return f1(r.wall().Seconds()) })
	row("**applications / s**", func(r *round) string { return "**" + f1(r.appsPerSecond()) + "**" })
	row("hh requests: searches / POSTs / vacancy reads / token / other", func(r *round) string {
		c := r.requests()
		return fmt.Sprintf("%d / %d / %d / %d / %d", c.Search, c.Apply, c.Vacancy, c.Token, c.Other)
	})
	row("hh requests / s (budget use)", func(r *round) string {
		return fmt.Sprintf("%s (%.0f%%)", f1(r.requestsPerSecond()), 100*r.requestsPerSecond()/o.Rate)
	})
	row("**hh requests per application**", func(r *round) string { return "**" + f2(r.perApp(float64(r.requests().Total()))) + "**" })
	row("hh requests per rule run (searches + vacancy reads; rule_runs.hh_requests)", func(r *round) string {
		c := r.requests()
		return fmt.Sprintf("%s; %s", f2(r.perRun(float64(c.Search+c.Vacancy))), f2(r.perRun(float64(r.RunHHRequests))))
	})
	row("floor: POSTs for the applications + ⌈new/100⌉ pages per run + one read per vacancy whose test decides", func(r *round) string {
		return fmt.Sprintf("%d + %d + %d = %d", r.applications(), r.FloorPages, r.requests().VacancyDistinct, r.floor())
	})
	row("**our requests / floor**", func(r *round) string {
		return "**" + f2(ratio(float64(r.requests().Total()), float64(r.floor()))) + "**"
	})
	row("worker CPU, s (per 1,000 applications)", func(r *round) string {
		return fmt.Sprintf("%s (%s)", f1(r.cpu().Seconds()), f2(1000*r.perApp(r.cpu().Seconds())))
	})
	row("worker peak RSS, MiB (per 1,000 applications)", func(r *round) string {
		mib := float64(r.PeakRSS) / (1 << 20)
		return fmt.Sprintf("%s (%s)", f1(mib), f2(1000*r.perApp(mib)))
	})
	for _, typ := range []string{tasks.TypeRuleRun, tasks.TypeApply} {
		row("handler time "+typ+", p50 / p99 (n)", func(r *round) string {
			d := r.Handler[typ]
			return fmt.Sprintf("%s / %s (%d)", ms(percentile(d, 50)), ms(percentile(d, 99)), len(d))
		})
	}
	row("**vacancy:apply handler invocations per application**", func(r *round) string {
		return "**" + f2(r.perApp(float64(len(r.Handler[tasks.TypeApply])))) + "**"
	})
	row("enqueue → done rule:run, p50 / p99", func(r *round) string {
		return ms(percentile(r.RunLatency, 50)) + " / " + ms(percentile(r.RunLatency, 99))
	})
	row("decided → applied (incl. pacing), p50 / p99", func(r *round) string {
		return ms(percentile(r.ApplyLatency, 50)) + " / " + ms(percentile(r.ApplyLatency, 99))
	})
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Worker processes in total: %s CPU, peak RSS %.1f MiB. The harness (sandbox, %s setup, %s): %s CPU.\n\n",
		rep.WorkerCPU.Round(10*time.Millisecond), float64(rep.WorkerMaxRSS)/(1<<20), databaseWord(o), redisWord(o), rep.HarnessCPU.Round(10*time.Millisecond))

	if rep.Tick != nil {
		rep.Tick.write(w)
	}
	for _, r := range rep.Rounds {
		fmt.Fprintf(w, "Queue depth, %s (asynq.Inspector, all queues):\n\n", r.Name)
		writeDepth(w, r)
		fmt.Fprintln(w)
	}
}

// writeDepth prints at most ~16 evenly spaced samples of the round.
func writeDepth(w io.Writer, r *round) {
	fmt.Fprintln(w, "| t, s | pending | scheduled | active | retry | applied so far | searches/s | POSTs/s | worker CPU, % |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	n := len(r.Samples)
	if n == 0 {
		return
	}
	step := max(1, (n+15)/16)
	for i := 0; i < n; i += step {
		writeDepthRow(w, r, i, step)
	}
	if (n-1)%step != 0 {
		writeDepthRow(w, r, n-1, (n-1)%step)
	}
}

func writeDepthRow(w io.Writer, r *round, i, back int) {
	s := r.Samples[i]
	prev := s
	if j := i - back; j >= 0 {
		prev = r.Samples[j]
	}
	dt := s.At.Sub(prev.At).Seconds()
	fmt.Fprintf(w, "| %.0f | %d | %d | %d | %d | %d | %s | %s | %s |\n",
		s.At.Sub(r.Start).Seconds(), s.Pending, s.Scheduled, s.Active, s.Retry, s.Applied-r.AppsBefore,
		f1(ratio(float64(s.Searches-prev.Searches), dt)), f1(ratio(float64(s.Posts-prev.Posts), dt)),
		f1(100*ratio((s.CPU-prev.CPU).Seconds(), dt)))
}

func concurrencyText(n int) string {
	if n <= 0 {
		return "default (4 per CPU, at least 8)"
	}
	return strconv.Itoa(n)
}

func redisWord(o options) string {
	if o.Redis == "embedded" {
		return "embedded Redis"
	}
	return "Redis client"
}

func f1(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func f2(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

// databaseWord names the store the run used.
func databaseWord(o options) string {
	if store.IsPostgres(o.Database) {
		return "PostgreSQL"
	}
	return "SQLite"
}
