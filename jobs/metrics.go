package jobs

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the worker's Prometheus series. A nil *Metrics records nothing.
type Metrics struct {
	EventsApplied *prometheus.CounterVec // helpdesk, result (new, duplicate)
	TimersArmed   prometheus.Counter     //
	TimersFired   *prometheus.CounterVec // result (evaluated, early)
	TimerLateness prometheus.Histogram   // seconds after the instant a check ran
	Writes        *prometheus.CounterVec // helpdesk, kind, result (ok, retry, failed, dropped, dry_run, already_posted), status
	Marks         *prometheus.CounterVec // contract, mark (at-risk-first-response, breached-resolution, …)
	Evaluations   prometheus.Histogram   // seconds per ticket evaluation
	Reevaluated   *prometheus.CounterVec // cause (contract, rules): tickets re-evaluated after a change
	TimeSyncs     *prometheus.CounterVec // result
	Notifications *prometheus.CounterVec // channel (slack, teams, mattermost, email), result (sent, trial, retry, failed, dropped)
	_             struct{}               // keep keyed literals
}

// NewMetrics creates the series and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		EventsApplied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_events_applied_total", Help: "Ticket events applied to the ticket log, by helpdesk and whether they were new.",
		}, []string{"helpdesk", "result"}),
		TimersArmed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "slaguard_timers_armed_total", Help: "Deadline and at-risk checks scheduled (a re-arm of an armed timer is not counted).",
		}),
		TimersFired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_timers_fired_total", Help: "Scheduled checks that ran, by result.",
		}, []string{"result"}),
		TimerLateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "slaguard_timer_lateness_seconds", Help: "How long after its instant a scheduled check ran.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30, 60},
		}),
		Writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_writebacks_total", Help: "Write-backs to the helpdesk, by helpdesk, mark kind, result (already_posted: found on the ticket after a takeover, not sent again) and HTTP status.",
		}, []string{"helpdesk", "kind", "result", "status"}),
		Marks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_marks_total", Help: "Marks issued on tickets (at risk, breached, over quota, …), by contract and mark.",
		}, []string{"contract", "mark"}),
		Evaluations: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "slaguard_evaluation_seconds", Help: "Time to load, evaluate and act on one ticket.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12),
		}),
		Reevaluated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_reevaluated_tickets_total", Help: "Open tickets re-evaluated after a change of a contract or of the rules, by cause (contract, rules).",
		}, []string{"cause"}),
		TimeSyncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_time_syncs_total", Help: "Reads of a ticket's time accounting into the billing ledger, by result.",
		}, []string{"result"}),
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slaguard_notifications_total", Help: "Push notifications of at-risk and breach marks, by channel and result (sent, trial: e-mail logged without SMTP, retry, failed: archived, dropped: no longer wanted).",
		}, []string{"channel", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.EventsApplied, m.TimersArmed, m.TimersFired, m.TimerLateness, m.Writes,
			m.Marks, m.Evaluations, m.Reevaluated, m.TimeSyncs, m.Notifications)
	}
	return m
}
