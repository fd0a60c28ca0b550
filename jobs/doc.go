// Package jobs is slaguard's asynq worker: it applies ticket events to the ticket store,
// evaluates the SLA, arms timers, writes marks back to the helpdesk and feeds the
// billing ledger. The tasks it runs are defined in package tasks; the tickets it keeps
// live in package ticketstore.
//
// Every handler is idempotent: asynq delivers at least once, and a ticket's state is a
// pure function of the set of its events, so running a task twice changes nothing.
package jobs
