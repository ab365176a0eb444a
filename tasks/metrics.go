package tasks

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/otklik/otklik/hh"
	"github.com/otklik/otklik/tasks/clustermetrics"
)

// Names of the series counted both per process and, through
// clustermetrics, for the whole instance.
const (
	hhRequestsSeries   = "otklik_hh_requests_total"
	applicationsSeries = "otklik_applications_total"
)

// SharedSeries describes the instance-wide counters the worker adds to
// Metrics.Shared, for a clustermetrics.Collector in the web's /metrics.
func SharedSeries() []clustermetrics.Series {
	return []clustermetrics.Series{
		{Name: hhRequestsSeries, Help: "HTTP requests made to hh.ru by every process of the instance, by operation and status (0: no response).", Labels: []string{"op", "status"}},
		{Name: applicationsSeries, Help: "Ledger outcomes recorded by every worker of the instance, by status.", Labels: []string{"outcome"}},
	}
}

// Metrics are the worker's Prometheus series.
type Metrics struct {
	HHRequests   *prometheus.CounterVec // by op and status
	Applications *prometheus.CounterVec // by outcome (ledger status)
	Tasks        *prometheus.CounterVec // by type and result

	// Shared, when set, also counts hh requests and outcomes for the whole
	// instance in Redis. Task counts need no copy: asynq keeps processed
	// and failed per queue in Redis already (QueueCollector).
	Shared *clustermetrics.Tally
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered, for tests and tools).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		HHRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: hhRequestsSeries,
			Help: "HTTP requests this process made to hh.ru, by operation and status (0: no response).",
		}, []string{"op", "status"}),
		Applications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: applicationsSeries,
			Help: "Ledger outcomes recorded by this worker process, by status.",
		}, []string{"outcome"}),
		Tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "otklik_tasks_total",
			Help: "Tasks handled by this worker, by type and result (ok, retry, failed).",
		}, []string{"type", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.HHRequests, m.Applications, m.Tasks)
	}
	return m
}

func (m *Metrics) observeHH(ri hh.RequestInfo) {
	status := strconv.Itoa(ri.Status)
	m.HHRequests.WithLabelValues(ri.Op, status).Inc()
	if m.Shared != nil {
		m.Shared.Add(hhRequestsSeries, ri.Op, status)
	}
}

func (m *Metrics) outcome(status string) {
	m.Applications.WithLabelValues(status).Inc()
	if m.Shared != nil {
		m.Shared.Add(applicationsSeries, status)
	}
}
