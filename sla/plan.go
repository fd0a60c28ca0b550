package sla

import (
	"sort"
	"time"
)

// Targets maps a priority to a target duration of business time; a missing priority or
// zero means the plan sets no target for it (the clock does not run).
type Targets map[Priority]Duration

// Plan is one support plan of the contract text, as data. Contracts start from a plan and
// may override any value; see Terms for the effective result.
type Plan struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// FirstResponse and Resolution are counted on the business calendar, except for
	// critical tickets when Critical247 is set: those count every hour.
	FirstResponse Targets `json:"first_response"`
	Resolution    Targets `json:"resolution"`
	Critical247   bool    `json:"critical_24x7"`
	// QuotaPerMonth is how many tickets a calendar month (Europe/Vienna) includes;
	// unused ones expire at month end.
	QuotaPerMonth int `json:"quota_per_month"`
	// HourlyRateCents is the Regie rate. The contract text names none, so plans carry 0
	// and every contract sets its own.
	HourlyRateCents int64 `json:"hourly_rate_cents"`
	// CriticalRateCents is charged per hour of critical work outside business hours.
	CriticalRateCents int64 `json:"critical_rate_cents"`
	// AtRiskPercent is the share of a target used at which a ticket is marked at risk.
	AtRiskPercent int `json:"at_risk_percent"`
	// Confirmation: the customer gets a confirmation in real time when a ticket is created.
	Confirmation bool `json:"confirmation"`
}

const businessHour = Duration(time.Hour)

// The plans of the contract text (seed/000_f19796f639594796.txt). The text gives critical
// cases no targets of their own, so they take high's, counted on the 24/7 clock.
var plans = map[string]Plan{
	"basic": {
		ID:          "basic",
		Name:        "Wartung und Servicepauschale Basic",
		Description: "Qualified answer within 48 business hours; critical cases 24/7 at EUR 160/h on top; 5 tickets a month included.",
		FirstResponse: Targets{
			Low: 48 * businessHour, Medium: 48 * businessHour, High: 48 * businessHour, Critical: 48 * businessHour,
		},
		Resolution:        Targets{},
		Critical247:       true,
		QuotaPerMonth:     5,
		CriticalRateCents: 16000,
		AtRiskPercent:     80,
	},
	"sla1": {
		ID:          "sla1",
		Name:        "SLA1",
		Description: "Initial feedback within 8 business hours; resolution low 72 h, medium 48 h, high 12 h; critical problems 24/7 via emergency number; real-time ticket confirmation; 5 tickets a month included.",
		FirstResponse: Targets{
			Low: 8 * businessHour, Medium: 8 * businessHour, High: 8 * businessHour, Critical: 8 * businessHour,
		},
		Resolution: Targets{
			Low: 72 * businessHour, Medium: 48 * businessHour, High: 12 * businessHour, Critical: 12 * businessHour,
		},
		Critical247:       true,
		QuotaPerMonth:     5,
		CriticalRateCents: 16000,
		AtRiskPercent:     80,
		Confirmation:      true,
	},
}

// LookupPlan returns the plan with the given id and whether it exists. The returned plan
// is a copy: changing it changes nothing else.
func LookupPlan(id string) (Plan, bool) {
	p, ok := plans[id]
	if !ok {
		return Plan{}, false
	}
	return p.clone(), true
}

// Plans returns every plan, sorted by id.
func Plans() []Plan {
	out := make([]Plan, 0, len(plans))
	for _, p := range plans {
		out = append(out, p.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PlanIDs returns the ids of every plan, sorted.
func PlanIDs() []string {
	ids := make([]string, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (p Plan) clone() Plan {
	p.FirstResponse = p.FirstResponse.clone()
	p.Resolution = p.Resolution.clone()
	return p
}

func (t Targets) clone() Targets {
	out := make(Targets, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// Terms are what a ticket is held to: a contract's plan with its overrides applied, and
// its calendar. sla.Evaluate takes Terms; the contracts package builds them.
type Terms struct {
	ContractID        string
	ContractName      string
	Plan              string
	FirstResponse     Targets
	Resolution        Targets
	Critical247       bool
	QuotaPerMonth     int
	HourlyRateCents   int64
	CriticalRateCents int64
	AtRiskPercent     int
	Confirmation      bool
	// EmergencyPhone is told to customers who report a critical problem off hours.
	EmergencyPhone string
	// BillingIncrement, when positive, rounds every billable time entry up to a multiple
	// of it before pricing (e.g. 15 minutes).
	BillingIncrement time.Duration
	// Calendar counts business time; nil means DefaultCalendar().
	Calendar *Calendar
}

// TermsOf returns the terms of a plan with no overrides, on the default calendar.
func TermsOf(p Plan) Terms {
	return Terms{
		Plan:              p.ID,
		FirstResponse:     p.FirstResponse.clone(),
		Resolution:        p.Resolution.clone(),
		Critical247:       p.Critical247,
		QuotaPerMonth:     p.QuotaPerMonth,
		HourlyRateCents:   p.HourlyRateCents,
		CriticalRateCents: p.CriticalRateCents,
		AtRiskPercent:     p.AtRiskPercent,
		Confirmation:      p.Confirmation,
	}
}

// CalendarFor returns the calendar a ticket of priority p counts on: the 24/7 clock for
// critical tickets when the terms cover 24/7, else the business calendar.
func (t Terms) CalendarFor(p Priority) *Calendar {
	if p == Critical && t.Critical247 {
		return AlwaysOpen()
	}
	if t.Calendar != nil {
		return t.Calendar
	}
	return DefaultCalendar()
}
