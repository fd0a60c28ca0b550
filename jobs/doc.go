// Package jobs is slaguard's background work on asynq: applying ticket events to the
// ticket log, evaluating the SLA, arming timers, writing marks back to the helpdesk,
// counting the quota and feeding the billing ledger.
//
// Every handler is idempotent: asynq delivers at least once, and a ticket's state is a
// pure function of the set of its events, so running a task twice changes nothing.
package jobs
