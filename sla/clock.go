package sla

import "time"

// DefaultAtRiskPercent is the share of a target used at which a clock is at risk when the
// terms set none (or a value outside 1–100).
const DefaultAtRiskPercent = 80

// clockInput is one clock's history: when it started, what stops it, when it was met.
type clockInput struct {
	cal     *Calendar
	created time.Time
	target  time.Duration
	percent int
	// stops are the intervals the clock stood still, disjoint and in order; one that is
	// still going ends at now.
	stops []Interval
	// stoppedNow: the clock stands still at now.
	stoppedNow bool
	// metAt is when the clock was met, zero if not (yet).
	metAt time.Time
	now   time.Time
}

// run computes the clock, following the policy: the deadline is the creation time plus
// the target on the calendar, not counting the stops; at risk once the at-risk share is
// used; breached once the deadline passes unmet, or when met after it. It also returns
// the next instant the clock changes by itself (zero if none).
func (in clockInput) run() (Clock, time.Time) {
	if in.target <= 0 {
		return Clock{State: ClockNone}, time.Time{}
	}
	c := Clock{Target: Duration(in.target), Paused: in.stoppedNow && in.metAt.IsZero()}
	end, stops := in.now, in.stops
	if !in.metAt.IsZero() {
		// Only the stops before the clock was met count: what came after (the closure
		// that met it, say) must not move its deadline.
		end, stops = in.metAt, stopsBefore(in.stops, in.metAt)
		c.MetAt = in.metAt
	}
	c.Used = Duration(in.cal.Between(in.created, end, stops))
	c.Deadline = in.cal.Add(in.created, in.target, stops)
	c.AtRiskAt = in.cal.Add(in.created, in.target*time.Duration(in.percent)/100, stops)

	if !in.metAt.IsZero() {
		if in.metAt.After(c.Deadline) {
			c.State = ClockBreached
		} else {
			c.State = ClockMet
		}
		return c, time.Time{}
	}
	switch {
	case !in.now.Before(c.Deadline):
		c.State = ClockBreached
	case !in.now.Before(c.AtRiskAt):
		c.State = ClockAtRisk
	case in.stoppedNow:
		c.State = ClockPaused
	default:
		c.State = ClockRunning
	}
	if in.stoppedNow {
		return c, time.Time{} // nothing changes until the ticket moves again
	}
	switch {
	case in.now.Before(c.AtRiskAt):
		return c, c.AtRiskAt
	case in.now.Before(c.Deadline):
		return c, c.Deadline
	}
	return c, time.Time{}
}

// wasAtRisk reports whether the clock reached its at-risk point before it was met (or by
// now): a fact of the ticket's history that stays true.
func (c Clock) wasAtRisk(now time.Time) bool {
	switch c.State {
	case ClockNone:
		return false
	case ClockAtRisk, ClockBreached:
		return true
	}
	if !c.MetAt.IsZero() {
		return c.AtRiskAt.Before(c.MetAt)
	}
	return !now.Before(c.AtRiskAt)
}

func stopsBefore(stops []Interval, t time.Time) []Interval {
	out := make([]Interval, 0, len(stops))
	for _, s := range stops {
		if !s.From.Before(t) {
			break
		}
		if s.To.After(t) {
			s.To = t
		}
		out = append(out, s)
	}
	return out
}

// mergeStops merges two ordered lists of disjoint intervals into one ordered list.
func mergeStops(a, b []Interval) []Interval {
	out := make([]Interval, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].From.Before(b[j].From)) {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	return out
}

// targetFor returns the target of priority p; critical takes high's when the terms set
// none, as the policy says.
func targetFor(ts Targets, p Priority) time.Duration {
	if d := ts[p].D(); d > 0 || p != Critical {
		return d
	}
	return ts[High].D()
}

func atRiskPercent(t *Terms) int {
	if t.AtRiskPercent < 1 || t.AtRiskPercent > 100 {
		return DefaultAtRiskPercent
	}
	return t.AtRiskPercent
}
