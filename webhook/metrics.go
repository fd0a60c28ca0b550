package webhook

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Results a delivery is counted under.
const (
	ResultAccepted          = "accepted"
	ResultDuplicate         = "duplicate"
	ResultRejectedSignature = "rejected_signature"
	ResultRejectedPayload   = "rejected_payload"
	ResultTooLarge          = "too_large"
	ResultUnavailable       = "unavailable"
)

// results are all of them: each helpdesk's counter of each exists from the start.
var results = []string{ResultAccepted, ResultDuplicate, ResultRejectedSignature, ResultRejectedPayload,
	ResultTooLarge, ResultUnavailable}

// newDeliveries returns the deliveries counter, registered with reg when reg is set. A
// counter already registered under the same name (a second handler on one registry) is
// shared rather than an error.
func newDeliveries(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "slaguard",
		Subsystem: "webhook",
		Name:      "deliveries_total",
		Help:      "Webhook deliveries by helpdesk and result (accepted, duplicate, rejected_signature, rejected_payload, too_large, unavailable).",
	}, []string{"helpdesk", "result"})
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing, nil
			}
		}
		return nil, err
	}
	return c, nil
}
