// Package billing owns the ledger of Regie time: one line per time-accounting entry of a
// helpdesk, classified by the policy ("Quota and billing") as implementation, over_quota,
// critical_off_hours or included, priced in integer cents, and the monthly export of those
// lines as JSON and CSV, over HTTP and from the command line.
//
// The ledger never holds money in a float, never counts a helpdesk entry twice (lines are
// keyed by the helpdesk's own entry id) and never changes a closed month: once a month is
// closed its export is frozen, and later edits, late bookings and deletions of its entries
// appear as dated adjustment lines in the first open month (normally the current one).
//
// It imports only sla among slaguard's packages. It does not read helpdesks itself: the
// jobs package reads a ticket's time accounting and hands it to Ledger.SyncTicket.
//
// # Redis keys
//
// Every key shares the hash tag {ledger}, so one slot holds the whole ledger: closing a
// month must see every ticket's lines of that month atomically, and a month of an agency's
// Regie time is a few thousand lines at most.
//
//	slaguard:billing:{ledger}:closed              hash  month "YYYY-MM" → closing instant (RFC 3339, UTC)
//	slaguard:billing:{ledger}:month:M:lines       hash  line key → Entry JSON, every line posted in month M
//	slaguard:billing:{ledger}:month:M:frozen      string the snapshot of month M taken when it was closed
//	slaguard:billing:{ledger}:ticket:HD|TICKET    hash  line key → month of every line of one ticket,
//	                                                    plus "#rev", bumped by every change
//
// A line key is "HD|TICKET|ENTRY" for an entry's own line and
// "HD|TICKET|ENTRY|adj|M|CONTRACT|CATEGORY" for an adjustment posted in month M. SyncTicket WATCHes
// the ticket hash and the closed hash; Close WATCHes the closed hash and the month's lines,
// so a sync and a close racing each other retry rather than interleave.
package billing
