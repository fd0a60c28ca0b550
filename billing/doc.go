// Package billing keeps the ledger of billable ("Regie") time and renders the monthly
// export: every time-accounting entry of the helpdesk, classified by the policy
// (implementation, over quota, critical work off hours, or included), priced in integer
// cents, per contract and month, as JSON and CSV.
//
// Money is int64 cents, never a float. Time is kept exactly, in seconds.
//
// Redis keys (all under slaguard:billing:):
//
//	month:{YYYY-MM}      HASH entry key → Entry (JSON): the entries billed in that month
//	current              HASH source key → Entry: the latest known value of each source entry
//	ticket:{hd:id}       SET of source keys of one ticket (to notice deletions)
//	closed               HASH month → when it was closed
//	frozen:{YYYY-MM}     STRING: the month's Export as it was closed (JSON)
//
// A source key is "helpdesk:entry-id". An entry of a closed month is never changed:
// a later edit or deletion becomes a dated adjustment in the month it happened.
package billing
