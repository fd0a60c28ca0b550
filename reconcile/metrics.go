package reconcile

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the catch-up's Prometheus series. A nil *Metrics records nothing.
type Metrics struct {
	Examined    *prometheus.CounterVec // helpdesk
	Recovered   *prometheus.CounterVec // helpdesk: the drift
	Passes      *prometheus.CounterVec // helpdesk, result (ok, error, busy)
	Retries     *prometheus.CounterVec // helpdesk, status
	LastSuccess *prometheus.GaugeVec   // helpdesk
	Watermark   *prometheus.GaugeVec   // helpdesk
}

// NewMetrics creates the series and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Examined: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_reconcile_tickets_examined_total", Help: "Tickets the catch-up sync read from the helpdesk and compared with the ticket store.",
		}, []string{"helpdesk"}),
		Recovered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_reconcile_events_recovered_total", Help: "Events the catch-up sync found that no webhook had delivered (drift); slaguard's own changes coming back are not counted.",
		}, []string{"helpdesk"}),
		Passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_reconcile_passes_total", Help: "Catch-up passes, by result (ok, error, busy).",
		}, []string{"helpdesk", "result"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_reconcile_retries_total", Help: "Catch-up requests tried again after 429, 5xx or no answer, by status (0: no answer).",
		}, []string{"helpdesk", "status"}),
		LastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "slaguard_reconcile_last_success_timestamp_seconds", Help: "When the last catch-up pass finished successfully (unix seconds).",
		}, []string{"helpdesk"}),
		Watermark: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "slaguard_reconcile_watermark_timestamp_seconds", Help: "The helpdesk's updated_at of the newest ticket the catch-up has read (unix seconds).",
		}, []string{"helpdesk"}),
	}
	if reg != nil {
		reg.MustRegister(m.Examined, m.Recovered, m.Passes, m.Retries, m.LastSuccess, m.Watermark)
	}
	return m
}

func (m *Metrics) observe(helpdeskName string, res Result, err error, now time.Time) {
	switch {
	case err == nil:
		m.Passes.WithLabelValues(helpdeskName, "ok").Inc()
		m.LastSuccess.WithLabelValues(helpdeskName).Set(float64(now.UnixMilli()) / 1000)
	default:
		m.Passes.WithLabelValues(helpdeskName, "error").Inc()
	}
	if !res.Watermark.Since.IsZero() {
		m.Watermark.WithLabelValues(helpdeskName).Set(float64(res.Watermark.Since.UnixMilli()) / 1000)
	}
}
