package sla

// overQuota reports whether the ticket at 1-based position in its contract's month is
// beyond the monthly quota. Position 0 (unknown) is never over; a quota of 0 or less
// means the contract sets no limit.
func overQuota(terms *Terms, position int) bool {
	return terms != nil && terms.QuotaPerMonth > 0 && position > terms.QuotaPerMonth
}

// CountsTowardQuota reports whether a ticket with status s takes one of its contract's
// monthly tickets: every ticket of a contract except change requests. The quota counter
// (outside sla) asks this before giving the ticket its QuotaPosition.
func CountsTowardQuota(s Status) bool { return !s.NoContract && !s.ChangeRequest }
