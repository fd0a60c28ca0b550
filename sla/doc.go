// Package sla is the MONOBUNT support policy as pure Go: the business calendar (opening
// hours, Austrian holidays, DST, the 24/7 clock), the plans and their targets, the
// ticket's clocks and marks (Evaluate), priority correction and the quota position.
//
// It does no I/O: no Redis, no HTTP, no files read behind the caller's back, and it never
// calls time.Now — every function that needs the present takes it as an argument.
// Times are time.Time in UTC; local time exists only inside the calendar.
package sla
