// Package tasks defines slaguard's asynq tasks: their types, queues, TaskIDs, payloads
// and retention. It is the one thing the webhook door and the worker share, so the door
// enqueues without importing the worker (or billing, contracts or the ticket store).
//
// It builds and names tasks; it never runs them and never touches Redis itself.
package tasks
