package tasks

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/otklik/otklik/hh"
)

// Metrics are the worker's Prometheus series.
type Metrics struct {
	HHRequests   *prometheus.CounterVec // by op and status
	Applications *prometheus.CounterVec // by outcome (ledger status)
	Tasks        *prometheus.CounterVec // by type and result
}

// NewMetrics creates the series and registers them with reg (nil: not
// registered, for tests and tools).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		HHRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "otklik_hh_requests_total",
			Help: "HTTP requests made to hh.ru, by operation and status (0: no response).",
		}, []string{"op", "status"}),
		Applications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "otklik_applications_total",
			Help: "Ledger outcomes recorded by the worker, by status.",
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
	m.HHRequests.WithLabelValues(ri.Op, strconv.Itoa(ri.Status)).Inc()
}

func (m *Metrics) outcome(status string) { m.Applications.WithLabelValues(status).Inc() }
