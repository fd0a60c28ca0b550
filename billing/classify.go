package billing

import (
	"slices"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Category is why a ledger line is (or is not) billed.
type Category string

// The categories of the policy. Included lines are kept with amount 0 so an export shows
// all the time booked, not only what is billed.
const (
	Implementation   Category = "implementation"
	OverQuota        Category = "over_quota"
	CriticalOffHours Category = "critical_off_hours"
	Included         Category = "included"
)

// Categories lists every category in the order exports show them.
var Categories = []Category{Implementation, OverQuota, CriticalOffHours, Included}

// Source is one time-accounting entry as the helpdesk has it now, with the facts about its
// ticket that decide its category.
type Source struct {
	Helpdesk     string
	EntryID      string // the helpdesk's own id of the entry; the ledger's key
	TicketID     string
	TicketNumber string
	Title        string
	// BookedAt is when the time was booked; it dates the line and decides off hours.
	BookedAt time.Time
	// Seconds is the time booked, exactly (see ParseMinutes for Zammad's time_unit).
	Seconds int64
	// TypeID is the helpdesk's time-accounting type, if any.
	TypeID        string
	ChangeRequest bool // the ticket is marked as a change request
	OverQuota     bool // the ticket is marked over the monthly quota
	Priority      sla.Priority
}

// Classify decides the category of src under terms and says why, in a few words. The
// first rule that applies wins:
//
//  1. critical_off_hours: the ticket is critical and the time was booked while the
//     contract's business calendar (terms.Calendar, nil meaning sla.DefaultCalendar) is
//     closed. It comes first because it carries its own, higher rate.
//  2. implementation: the ticket is a change request, or the entry's type is one of
//     implementationTypeIDs. Implementation work is billed whatever the quota.
//  3. over_quota: the ticket is over the monthly quota.
//  4. included: everything else.
func Classify(src Source, terms sla.Terms, implementationTypeIDs []string) (Category, string) {
	if src.Priority == sla.Critical {
		cal := terms.Calendar
		if cal == nil {
			cal = sla.DefaultCalendar()
		}
		if !cal.IsOpen(src.BookedAt) {
			return CriticalOffHours, "critical ticket, booked outside business hours"
		}
	}
	if src.ChangeRequest {
		return Implementation, "change request"
	}
	if src.TypeID != "" && slices.Contains(implementationTypeIDs, src.TypeID) {
		return Implementation, "implementation work (time type " + src.TypeID + ")"
	}
	if src.OverQuota {
		return OverQuota, "ticket over the monthly quota"
	}
	return Included, "included in the plan"
}

// rateOf returns the hourly rate of a category under terms; included time has none.
func rateOf(c Category, terms sla.Terms) int64 {
	switch c {
	case CriticalOffHours:
		return terms.CriticalRateCents
	case Implementation, OverQuota:
		return terms.HourlyRateCents
	}
	return 0
}
