// Package reconcile is the catch-up sync: it asks a helpdesk for the tickets changed since
// a watermark kept in Redis and feeds what slaguard never received into the worker, so a
// webhook lost to an outage, a misconfigured trigger or a dropping proxy is recovered.
//
// A pass reads the helpdesk a page at a time (helpdesk.Catchup.Changed), compares each
// ticket with its record in the ticket store, rebuilds the past of a ticket the store is
// behind on (helpdesk.Catchup.Timeline) and enqueues the events the store lacks as one
// "ticket:catchup" task (package tasks) per ticket, the same task queue a webhook's event takes, so the
// worker evaluates the ticket once with all of them. What the store has seen is not fed
// again: a second pass over the same tickets enqueues nothing.
//
// The watermark is the helpdesk's updated_at of the newest ticket read; a pass starts an
// overlap before it (clock skew between hosts, several updates within one second) and
// stores its progress after every page, so a pass cut short resumes where it was.
//
// A helpdesk that books time without changing the ticket (helpdesk.TimeCatchup:
// Freshdesk) is also read for the time booked since a second watermark, a day's overlap
// before it; a ticket with an entry its record does not know is fed as a snapshot, so
// the worker syncs its time as after a webhook.
//
// It never evaluates a ticket and never writes to the helpdesk; it only reads the helpdesk
// and the ticket store and enqueues tasks.
package reconcile
