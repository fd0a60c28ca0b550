package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Definition says how the achievement figures are counted; pages and exports print it.
const Definition = "Achievement = clocks met on time ÷ (clocks met on time + clocks breached), " +
	"per clock (first response, resolution) and priority, over the tickets created in the month " +
	"(Europe/Vienna), each clock as it stands at the report's \"as of\" instant. " +
	"A clock met after its deadline, or whose deadline passed unmet, is breached; it stays breached " +
	"when the ticket is paused or closed afterwards. A clock still running, or paused, before its " +
	"deadline is pending and left out of the denominator. A clock the ticket does not have (no target " +
	"for its priority, or a change request's resolution) is not counted. How late and time paused " +
	"are business time on the contract's calendar (critical tickets of 24/7 contracts: every hour)."

// ErrNoContract: a report was asked for a contract that does not exist.
var ErrNoContract = errors.New("report: no such contract")

// Ticket is one ticket of the month as the caller evaluated it.
type Ticket struct {
	Key, Number, Title string
	ContractID         string
	CreatedAt          time.Time
	// Status is sla.Evaluate's verdict at the report's instant under the contract's terms.
	Status sla.Status
	// Calendar is the calendar the ticket's clocks count on (terms.CalendarFor(priority)).
	Calendar *sla.Calendar
}

// Contract is what the report shows of a contract.
type Contract struct {
	ID, Customer, Plan string
	// QuotaPerMonth is the number of tickets included per month (0: no quota).
	QuotaPerMonth int
}

// Regie is a contract's billable time and amount in the month (from the billing ledger).
type Regie struct {
	BilledSeconds int64
	AmountCents   int64
}

// Input is everything Build reads.
type Input struct {
	Month string // YYYY-MM
	AsOf  time.Time
	// ContractID is set for one contract's report; Contracts then holds that one.
	ContractID string
	Contracts  []Contract
	Tickets    []Ticket
	Regie      map[string]Regie // by contract id
}

// Report is the month's figures.
type Report struct {
	Month      string    `json:"month"`
	AsOf       time.Time `json:"as_of"`
	ContractID string    `json:"contract_id,omitempty"`
	Definition string    `json:"definition"`
	// Contracts holds one section per contract (those with tickets or Regie in the month,
	// and the one asked for); Total adds them up.
	Contracts []Section `json:"contracts"`
	Total     Section   `json:"total"`
}

// Section is the figures of one contract, or of all (Total: ContractID empty).
type Section struct {
	ContractID string `json:"contract_id,omitempty"`
	Customer   string `json:"customer,omitempty"`
	Plan       string `json:"plan,omitempty"`
	Tickets    int    `json:"tickets"`
	// ChangeRequests are tickets judged development or change requests (no resolution
	// clock, not counted against the quota).
	ChangeRequests int `json:"change_requests"`
	// Quota: tickets counted against the included tickets, and those beyond.
	QuotaIncluded int           `json:"quota_included"`
	QuotaCounted  int           `json:"quota_counted"`
	OverQuota     int           `json:"over_quota"`
	FirstResponse Achievement   `json:"first_response"`
	Resolution    Achievement   `json:"resolution"`
	ByPriority    []PriorityRow `json:"by_priority"`
	PausedSeconds int64         `json:"paused_seconds"`
	Breaches      []Breach      `json:"breaches"`
	// RegieMinutes is RegieSeconds in whole minutes, rounded up.
	RegieMinutes   int64 `json:"regie_minutes"`
	RegieSeconds   int64 `json:"regie_seconds"`
	RegieAmountCts int64 `json:"regie_amount_cents"`
}

// PriorityRow is the achievement of the tickets of one (effective) priority.
type PriorityRow struct {
	Priority      sla.Priority `json:"priority"`
	Tickets       int          `json:"tickets"`
	FirstResponse Achievement  `json:"first_response"`
	Resolution    Achievement  `json:"resolution"`
}

// Achievement counts one clock over a set of tickets.
type Achievement struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	Pending  int `json:"pending"`
	// Percent is Met / (Met + Breached) × 100, cut to one decimal (99.96 is 99.9, never
	// 100); nil when no clock was decided.
	Percent *float64 `json:"percent"`
}

// Breach is one clock that breached.
type Breach struct {
	Ticket     string       `json:"ticket"`
	Number     string       `json:"number,omitempty"`
	Title      string       `json:"title,omitempty"`
	ContractID string       `json:"contract_id"`
	Customer   string       `json:"customer,omitempty"`
	Priority   sla.Priority `json:"priority"`
	// Clock is "first_response" or "resolution".
	Clock    string    `json:"clock"`
	Deadline time.Time `json:"deadline"`
	// MetAt is when the clock was met late; nil while it is still unmet.
	MetAt *time.Time `json:"met_at"`
	// LateSeconds is the business time past the deadline (until MetAt, else the as-of).
	LateSeconds int64 `json:"late_seconds"`
	// PausedSeconds is the business time the clock stood still (waiting on the customer,
	// or closed before a reopen).
	PausedSeconds int64 `json:"paused_seconds"`
}

// The clocks' names in Breach.Clock.
const (
	ClockFirstResponse = "first_response"
	ClockResolution    = "resolution"
)

// Build computes the report.
func Build(in Input) Report {
	r := Report{Month: in.Month, AsOf: in.AsOf.UTC(), ContractID: in.ContractID, Definition: Definition,
		Contracts: []Section{}}
	byID := map[string]*Section{}
	var order []string
	section := func(id string) *Section {
		if s, ok := byID[id]; ok {
			return s
		}
		s := newSection(id)
		byID[id] = s
		order = append(order, id)
		return s
	}
	for _, c := range in.Contracts {
		s := section(c.ID)
		s.Customer, s.Plan, s.QuotaIncluded = c.Customer, c.Plan, c.QuotaPerMonth
	}
	tickets := slices.Clone(in.Tickets)
	slices.SortFunc(tickets, func(a, b Ticket) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Key, b.Key))
	})
	for _, t := range tickets {
		if in.ContractID != "" && t.ContractID != in.ContractID {
			continue
		}
		section(t.ContractID).add(t, in.AsOf)
	}
	for id, g := range in.Regie {
		if in.ContractID != "" && id != in.ContractID {
			continue
		}
		if g.BilledSeconds == 0 && g.AmountCents == 0 {
			continue
		}
		s := section(id)
		s.RegieSeconds, s.RegieAmountCts = g.BilledSeconds, g.AmountCents
	}
	slices.SortFunc(order, func(a, b string) int {
		return cmp.Or(cmp.Compare(byID[a].Customer, byID[b].Customer), cmp.Compare(a, b))
	})
	total := newSection("")
	for _, id := range order {
		s := byID[id]
		if in.ContractID == "" && s.Tickets == 0 && s.RegieSeconds == 0 && s.RegieAmountCts == 0 {
			continue // a contract with nothing in the month
		}
		s.finish()
		r.Contracts = append(r.Contracts, *s)
		total.merge(s)
	}
	total.finish()
	slices.SortStableFunc(total.Breaches, breachOrder)
	r.Total = *total
	return r
}

func newSection(id string) *Section {
	s := &Section{ContractID: id, Breaches: []Breach{}}
	for _, p := range sla.Priorities {
		s.ByPriority = append(s.ByPriority, PriorityRow{Priority: p})
	}
	return s
}

// add counts one ticket.
func (s *Section) add(t Ticket, asOf time.Time) {
	st := t.Status
	s.Tickets++
	if st.ChangeRequest {
		s.ChangeRequests++
	} else if s.QuotaIncluded > 0 {
		s.QuotaCounted++
	}
	if st.OverQuota {
		s.OverQuota++
	}
	row := &s.ByPriority[max(st.Priority.Rank(), 0)]
	row.Tickets++
	row.FirstResponse.count(st.FirstResponse)
	row.Resolution.count(st.Resolution)

	cal := t.Calendar
	if cal == nil {
		cal = sla.DefaultCalendar()
	}
	// The time the ticket stood still: its longest-running clock's elapsed business time
	// minus the business time it counted.
	if c := longest(st); c.State != sla.ClockNone {
		s.PausedSeconds += paused(cal, t.CreatedAt, c, asOf)
	}
	for _, k := range []struct {
		name string
		c    sla.Clock
	}{{ClockFirstResponse, st.FirstResponse}, {ClockResolution, st.Resolution}} {
		if k.c.State != sla.ClockBreached {
			continue
		}
		b := Breach{Ticket: t.Key, Number: t.Number, Title: t.Title, ContractID: t.ContractID, Customer: s.Customer,
			Priority: st.Priority, Clock: k.name, Deadline: k.c.Deadline.UTC(),
			LateSeconds:   int64((k.c.Used - k.c.Target).D() / time.Second),
			PausedSeconds: paused(cal, t.CreatedAt, k.c, asOf)}
		if !k.c.MetAt.IsZero() {
			at := k.c.MetAt.UTC()
			b.MetAt = &at
		}
		s.Breaches = append(s.Breaches, b)
	}
}

// longest is the clock that runs longest: resolution when the ticket has one.
func longest(st sla.Status) sla.Clock {
	if st.Resolution.State != sla.ClockNone {
		return st.Resolution
	}
	return st.FirstResponse
}

// paused is the business time clock c stood still between the ticket's creation and its
// end (met, else asOf): elapsed business time minus the time it counted.
func paused(cal *sla.Calendar, created time.Time, c sla.Clock, asOf time.Time) int64 {
	end := asOf
	if !c.MetAt.IsZero() {
		end = c.MetAt
	}
	if !end.After(created) {
		return 0
	}
	d := cal.Between(created, end, nil) - c.Used.D()
	return int64(max(d, 0) / time.Second)
}

func (a *Achievement) count(c sla.Clock) {
	switch c.State {
	case sla.ClockMet:
		a.Met++
	case sla.ClockBreached:
		a.Breached++
	case sla.ClockRunning, sla.ClockAtRisk, sla.ClockPaused:
		a.Pending++
	}
}

func (a *Achievement) add(b Achievement) {
	a.Met += b.Met
	a.Breached += b.Breached
	a.Pending += b.Pending
}

func (a *Achievement) finish() {
	a.Percent = nil
	if n := a.Met + a.Breached; n > 0 {
		p := float64(a.Met*1000/n) / 10 // one decimal, rounded down: 99.96 % is not 100 %
		a.Percent = &p
	}
}

// merge adds s to the total.
func (s *Section) merge(o *Section) {
	s.Tickets += o.Tickets
	s.ChangeRequests += o.ChangeRequests
	s.QuotaIncluded += o.QuotaIncluded
	s.QuotaCounted += o.QuotaCounted
	s.OverQuota += o.OverQuota
	for i := range s.ByPriority {
		s.ByPriority[i].Tickets += o.ByPriority[i].Tickets
		s.ByPriority[i].FirstResponse.add(o.ByPriority[i].FirstResponse)
		s.ByPriority[i].Resolution.add(o.ByPriority[i].Resolution)
	}
	s.PausedSeconds += o.PausedSeconds
	s.Breaches = append(s.Breaches, o.Breaches...)
	s.RegieSeconds += o.RegieSeconds
	s.RegieAmountCts += o.RegieAmountCts
}

// finish sums the priorities into the clocks' totals and works out the percentages.
func (s *Section) finish() {
	s.FirstResponse, s.Resolution = Achievement{}, Achievement{}
	for i := range s.ByPriority {
		row := &s.ByPriority[i]
		s.FirstResponse.add(row.FirstResponse)
		s.Resolution.add(row.Resolution)
		row.FirstResponse.finish()
		row.Resolution.finish()
	}
	s.FirstResponse.finish()
	s.Resolution.finish()
	s.RegieMinutes = (s.RegieSeconds + 59) / 60
	slices.SortStableFunc(s.Breaches, breachOrder)
}

func breachOrder(a, b Breach) int {
	return cmp.Or(a.Deadline.Compare(b.Deadline), cmp.Compare(a.Ticket, b.Ticket), cmp.Compare(a.Clock, b.Clock))
}

// Months lists the n months ending with month ("YYYY-MM"), oldest first.
func Months(month string, n int) ([]string, error) {
	t, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range n {
		out[i] = t.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out, nil
}

// ParseMonth returns the first instant of month ("YYYY-MM") in Europe/Vienna.
func ParseMonth(month string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", month, sla.Vienna)
	if err != nil || len(month) != 7 || t.Year() < 2000 {
		return time.Time{}, fmt.Errorf("report: month must be written YYYY-MM, not %q", month)
	}
	return t, nil
}

// Point is one month of a trend: the total's achievement.
type Point struct {
	Month         string      `json:"month"`
	Tickets       int         `json:"tickets"`
	FirstResponse Achievement `json:"first_response"`
	Resolution    Achievement `json:"resolution"`
}

// PointOf is the month's point on a trend.
func PointOf(r Report) Point {
	return Point{Month: r.Month, Tickets: r.Total.Tickets, FirstResponse: r.Total.FirstResponse, Resolution: r.Total.Resolution}
}

func viennaLoc() *time.Location { return sla.Vienna }
