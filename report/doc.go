// Package report computes the monthly SLA report: per contract and for all contracts,
// the tickets of a month, first-response and resolution achievement per priority, each
// breach with how late it was in business time, the time the clocks stood still, the
// tickets against the quota and the billable (Regie) time and amount.
//
// It is pure: Build takes the tickets as sla.Evaluate judged them (re-evaluated from their
// logs by the caller, so the figures follow the contracts as they are now) and the month's
// billing totals, and returns the figures. No Redis, no HTTP, no clock of its own.
package report
