package sla

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Vienna must resolve even in an image without zoneinfo
)

// Interval is a half-open span of time [From, To) in UTC, e.g. a pause while the ticket
// waits on the customer. As a pause, a zero To means the pause has not ended yet.
type Interval struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Calendar counts open (business) time: the hours of its open weekdays in its time zone,
// except on public holidays of its holiday set and on its extra closing days. A day's
// open span runs from its local opening to its local closing time, so a daylight saving
// change inside those hours makes that day an hour shorter or longer (an opening time
// that a spring change skips is read as time.Date reads it: an hour later).
//
// Open time is half-open: the opening instant is open, the closing instant is not. The
// business calendar knows the local years 1900 through 9999; before that it is closed and
// results past it are the zero time.
//
// A nil or zero *Calendar behaves as DefaultCalendar(). A Calendar is immutable and safe
// for concurrent use. Its cost does not grow with the durations it counts: it keeps, per
// year, the open time accumulated day by day (about 9 KB a year, built on first use).
type Calendar struct {
	name     string
	always   bool
	loc      *time.Location
	opens    int // minutes after local midnight
	closes   int // minutes after local midnight, up to 24*60
	weekdays [7]bool
	holidays holidaySet
	closed   map[int][]closedDay // extra closing days by year

	years *[cachedLastYear - cachedFirstYear + 1]atomic.Pointer[yearTable] // built on first use
}

// Calendar names as returned by Name.
const (
	CalendarDefault = "default"
	Calendar24x7    = "24x7"
	CalendarCustom  = "custom"
)

var (
	defaultCalendar = sync.OnceValue(func() *Calendar {
		c, err := newCalendar(CalendarSpec{})
		if err != nil {
			panic("sla: default calendar: " + err.Error()) // tzdata is embedded: cannot happen
		}
		return c
	})
	alwaysOpen = &Calendar{name: Calendar24x7, always: true, loc: time.UTC}
)

// DefaultCalendar is Mon–Fri 08:00–17:00 Europe/Vienna, closed on Austrian public
// holidays. It returns the same shared value on every call.
func DefaultCalendar() *Calendar { return defaultCalendar() }

// AlwaysOpen is the 24/7 calendar: every instant is open, so Add is start plus d plus
// the pause time it overlaps. It returns the same shared value on every call.
func AlwaysOpen() *Calendar { return alwaysOpen }

// orDefault lets a nil or zero Calendar mean the default calendar, as Terms.Calendar does.
func (c *Calendar) orDefault() *Calendar {
	if c == nil || (c.loc == nil && !c.always) {
		return DefaultCalendar()
	}
	return c
}

// Name says which calendar c is: "default" (the policy's business hours, also when a
// spec asks for exactly those), "24x7" (AlwaysOpen) or "custom".
func (c *Calendar) Name() string { return c.orDefault().name }

// Location returns the time zone c counts local time in (UTC for the 24/7 calendar).
func (c *Calendar) Location() *time.Location { return c.orDefault().loc }

// Add returns the earliest instant at which d of open time, not inside pauses, has
// elapsed since start. A deadline that falls exactly on a closing time is that closing
// instant, not the next opening. d <= 0 returns start.
//
// Pauses may be unsorted, overlap, or begin before start; a pause with a zero To has not
// ended. If such an open-ended pause begins before d has elapsed, the deadline is not
// known yet and Add returns the zero time (test with IsZero). The result is in UTC.
func (c *Calendar) Add(start time.Time, d time.Duration, pauses []Interval) time.Time {
	c = c.orDefault()
	start = start.UTC()
	if d <= 0 {
		return start
	}
	cur, rem := start, d
	for _, p := range mergePauses(pauses, start) {
		due := c.addOpen(cur, rem)
		if due.IsZero() || !due.After(p.From) {
			return due
		}
		rem -= c.openBetween(cur, p.From)
		if p.To.IsZero() {
			return time.Time{}
		}
		cur = p.To
	}
	return c.addOpen(cur, rem)
}

// Between returns the open time in [a, b) not inside pauses; 0 when b <= a. A pause with
// a zero To lasts past b.
func (c *Calendar) Between(a, b time.Time, pauses []Interval) time.Duration {
	c = c.orDefault()
	if !b.After(a) {
		return 0
	}
	total := c.openBetween(a, b)
	for _, p := range mergePauses(pauses, a) {
		if !p.From.Before(b) {
			break
		}
		to := b
		if !p.To.IsZero() && p.To.Before(b) {
			to = p.To
		}
		total -= c.openBetween(p.From, to)
	}
	return total
}

// NextOpen returns t (in UTC) if t is open, else the next opening instant. Pauses play no
// part. It returns the zero time if the calendar does not open again before year 10000.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	c = c.orDefault()
	t = t.UTC()
	if c.always {
		return t
	}
	y, tab, f := c.position(t)
	for ; y <= lastYear; y, tab, f = y+1, c.year(y+1), 0 {
		n := tab.days()
		k := sort.Search(n, func(k int) bool { return tab.cum[k+1] > f })
		if k < n {
			return tab.at(k, f)
		}
	}
	return time.Time{}
}

// IsOpen reports whether t is inside open time. A closing instant is not open.
func (c *Calendar) IsOpen(t time.Time) bool {
	c = c.orDefault()
	if c.always {
		return true
	}
	tab, k, ok := c.dayOf(t)
	s := t.Unix()
	return ok && tab.cum[k+1] > tab.cum[k] && s >= tab.open[k] && s < tab.close[k]
}

// dayOf finds the year table and day index of the local day containing t; ok is false
// outside the supported years.
func (c *Calendar) dayOf(t time.Time) (*yearTable, int, bool) {
	lt := t.In(c.loc)
	if lt.Year() < firstYear || lt.Year() > lastYear {
		return nil, 0, false
	}
	return c.year(lt.Year()), lt.YearDay() - 1, true
}

// IsBusinessDay reports whether the local day (in c's time zone) containing t has open
// hours: an open weekday that is neither a public holiday nor an extra closing day.
// Every day is a business day on the 24/7 calendar.
func (c *Calendar) IsBusinessDay(t time.Time) bool {
	c = c.orDefault()
	if c.always {
		return true
	}
	tab, k, ok := c.dayOf(t)
	return ok && tab.cum[k+1] > tab.cum[k]
}

// Holiday returns the name of the public holiday or extra closing day ("company holiday")
// on the local day containing t, and whether there is one. An ordinary closed weekday
// (Saturday on the default calendar) is not a holiday.
func (c *Calendar) Holiday(t time.Time) (name string, ok bool) {
	c = c.orDefault()
	if c.always {
		return "", false
	}
	lt := t.In(c.loc)
	if lt.Year() < firstYear || lt.Year() > lastYear {
		return "", false
	}
	name, ok = c.year(lt.Year()).names[lt.YearDay()-1]
	return name, ok
}
