package tasks

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueCollector exports asynq's queue sizes and totals to Prometheus,
// read from Redis at scrape time, so every web or worker process reports
// the same numbers.
type QueueCollector struct {
	inspector *asynq.Inspector
	size      *prometheus.Desc
	tasks     *prometheus.Desc
	processed *prometheus.Desc
	failed    *prometheus.Desc
}

// NewQueueCollector reads queues through in.
func NewQueueCollector(in *asynq.Inspector) *QueueCollector {
	return &QueueCollector{
		inspector: in,
		size:      prometheus.NewDesc("otklik_queue_size", "Tasks in the queue (pending, active, scheduled, retry and archived).", []string{"queue"}, nil),
		tasks:     prometheus.NewDesc("otklik_queue_tasks", "Tasks in the queue by state.", []string{"queue", "state"}, nil),
		processed: prometheus.NewDesc("otklik_queue_processed_total", "Tasks processed from the queue (succeeded or failed).", []string{"queue"}, nil),
		failed:    prometheus.NewDesc("otklik_queue_failed_total", "Task attempts that failed.", []string{"queue"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.size
	ch <- c.tasks
	ch <- c.processed
	ch <- c.failed
}

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	for q := range Queues() {
		info, err := c.inspector.GetQueueInfo(q)
		if err != nil {
			continue // a queue that has never held a task does not exist yet
		}
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(info.Size), q)
		for state, n := range map[string]int{
			"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed,
		} {
			ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(n), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.processed, prometheus.CounterValue, float64(info.ProcessedTotal), q)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(info.FailedTotal), q)
	}
}
