// Package ticketstore keeps slaguard's tickets in Redis: each ticket's event log (one
// hash per ticket, appending an event twice is a no-op), the marks issued and written
// back, the summary of its last evaluation, the indexes of open tickets and of the
// at-risk board, and the monthly quota of each contract.
//
// It stores and reads; it never evaluates a ticket, enqueues a task or calls a helpdesk.
// One ticket's keys share a cluster slot through the {helpdesk:id} hash tag.
package ticketstore
