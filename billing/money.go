package billing

import (
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Category is why time is (or is not) billed.
type Category string

// The categories of the policy.
const (
	// Implementation: work on a change request, or booked under an implementation type.
	Implementation Category = "implementation"
	// OverQuota: handling of a ticket beyond the month's included tickets.
	OverQuota Category = "over_quota"
	// CriticalOffHours: work on a critical ticket outside business hours.
	CriticalOffHours Category = "critical_off_hours"
	// Included: covered by the plan; kept with amount 0 so the export shows everything.
	Included Category = "included"
)

// Categories lists the categories in the order exports show them.
var Categories = []Category{Implementation, OverQuota, CriticalOffHours, Included}

// Source is one time-accounting entry of a helpdesk with the facts that classify it.
type Source struct {
	Helpdesk     string
	EntryID      string
	TicketID     string
	TicketNumber string
	Title        string
	// BookedAt is when the time was booked (UTC); its Europe/Vienna date is the entry's date.
	BookedAt time.Time
	// Seconds of work booked.
	Seconds int64
	// TypeID is the helpdesk's time-accounting type, if any.
	TypeID        string
	ChangeRequest bool
	OverQuota     bool
	Priority      sla.Priority
}

// Key is the source's identity in the ledger: "zammad:812".
func (s Source) Key() string { return s.Helpdesk + ":" + s.EntryID }

// Classify decides an entry's category, rate and reason by the policy. When several
// apply, critical work off hours wins (it has its own rate), then implementation, then
// over quota.
func Classify(s Source, terms sla.Terms, implementationTypes map[string]bool) (Category, int64, string) {
	cal := terms.Calendar
	if cal == nil {
		cal = sla.DefaultCalendar()
	}
	switch {
	case s.Priority == sla.Critical && !cal.IsOpen(s.BookedAt):
		return CriticalOffHours, terms.CriticalRateCents, "critical ticket, work outside business hours"
	case s.ChangeRequest:
		return Implementation, terms.HourlyRateCents, "change request: implementation is billed by the hour"
	case s.TypeID != "" && implementationTypes[s.TypeID]:
		return Implementation, terms.HourlyRateCents, "booked as implementation work (type " + s.TypeID + ")"
	case s.OverQuota:
		return OverQuota, terms.HourlyRateCents, "ticket over the month's included quota"
	}
	return Included, 0, "included in the plan"
}

// RoundUp rounds seconds up to a whole multiple of increment (no rounding when
// increment is not positive).
func RoundUp(seconds int64, increment time.Duration) int64 {
	inc := int64(increment / time.Second)
	if inc <= 0 || seconds <= 0 {
		return seconds
	}
	return (seconds + inc - 1) / inc * inc
}

// Amount prices seconds of work at rateCents per hour, rounded half up to the cent:
// minutes × rate / 60, computed in integers. Negative seconds price symmetrically.
func Amount(seconds, rateCents int64) int64 {
	if seconds < 0 {
		return -Amount(-seconds, rateCents)
	}
	return (seconds*rateCents + 1800) / 3600
}
