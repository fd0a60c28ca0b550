// Package webhook receives the helpdesks' webhooks at POST /webhooks/{helpdesk}: it caps
// and reads the raw body, lets the helpdesk's adapter verify the signature and parse the
// payload into neutral events, and enqueues one "ticket:event" task per event, whose
// TaskID is the delivery's identity so a redelivery enqueues nothing.
//
// It answers 202 only once the events are in Redis, and 503 with Retry-After when they
// cannot be, so the helpdesk delivers again. It does no SLA work, keeps no state of its
// own, and never logs a body or a secret.
package webhook
