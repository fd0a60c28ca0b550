package sla

import (
	"sort"
	"time"
)

// The business calendar's arithmetic: per local year a table of each day's opening and
// closing instant and of the open time accumulated before each day. Counting d of open
// time is then a subtraction per year plus a binary search in one year, whatever d is.

const (
	firstYear = 1900 // before its start the business calendar is closed
	lastYear  = 9999 // past its end results are the zero time

	// Years whose tables are cached; others are built on each use (correct, slower),
	// which keeps the cache bounded (about 9 KB a year) whatever callers pass.
	cachedFirstYear = 1900
	cachedLastYear  = 2199
)

// yearTable is one local year of a business calendar. Day k is 1 January + k.
type yearTable struct {
	open, close []int64         // unix seconds of day k's local opening and closing
	cum         []time.Duration // open time of days 0..k-1; cum[days()] is the year's total
	names       map[int]string  // holidays and extra closing days by day index
}

func (tab *yearTable) days() int            { return len(tab.open) }
func (tab *yearTable) total() time.Duration { return tab.cum[len(tab.open)] }

// within returns the open time of day k before instant t, t being on day k.
func (tab *yearTable) within(k int, t time.Time) time.Duration {
	length := tab.cum[k+1] - tab.cum[k]
	if length == 0 {
		return 0
	}
	off := time.Duration(t.Unix()-tab.open[k])*time.Second + time.Duration(t.Nanosecond())
	return min(max(off, 0), length)
}

// at returns the instant of day k at which the year's accumulated open time is f; the
// caller guarantees cum[k] <= f <= cum[k+1] and that day k is open.
func (tab *yearTable) at(k int, f time.Duration) time.Time {
	return time.Unix(tab.open[k], 0).Add(f - tab.cum[k]).UTC()
}

// year returns the table of local year y (firstYear <= y <= lastYear).
func (c *Calendar) year(y int) *yearTable {
	if y < cachedFirstYear || y > cachedLastYear {
		return c.buildYear(y)
	}
	slot := &c.years[y-cachedFirstYear]
	if tab := slot.Load(); tab != nil {
		return tab
	}
	// Two goroutines may build the same year at once; both tables are equal, one wins.
	slot.CompareAndSwap(nil, c.buildYear(y))
	return slot.Load()
}

func (c *Calendar) buildYear(y int) *yearTable {
	jan1 := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
	n := time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC).YearDay()
	tab := &yearTable{
		open:  make([]int64, n),
		close: make([]int64, n),
		cum:   make([]time.Duration, n+1),
		names: map[int]string{},
	}
	mark := func(d closedDay) {
		k := time.Date(y, d.Month, d.Day, 0, 0, 0, 0, time.UTC).YearDay() - 1
		if _, dup := tab.names[k]; !dup {
			tab.names[k] = d.Name
		}
	}
	for _, d := range c.holidays.in(y) {
		mark(d)
	}
	for _, d := range c.closed[y] {
		mark(d)
	}
	wd := jan1.Weekday()
	for k := range n {
		tab.cum[k+1] = tab.cum[k]
		day := time.Weekday((int(wd) + k) % 7)
		if _, closed := tab.names[k]; closed || !c.weekdays[day] {
			continue
		}
		o := time.Date(y, time.January, 1+k, c.opens/60, c.opens%60, 0, 0, c.loc)
		e := time.Date(y, time.January, 1+k, c.closes/60, c.closes%60, 0, 0, c.loc)
		if !e.After(o) {
			continue // a daylight saving change swallowed the day's hours
		}
		tab.open[k], tab.close[k] = o.Unix(), e.Unix()
		tab.cum[k+1] += e.Sub(o)
	}
	return tab
}

// position returns t's local year, its table and the open time of that year before t.
// Instants before firstYear sit at its start, instants after lastYear at its end.
func (c *Calendar) position(t time.Time) (int, *yearTable, time.Duration) {
	lt := t.In(c.loc)
	y := lt.Year()
	switch {
	case y < firstYear:
		return firstYear, c.year(firstYear), 0
	case y > lastYear:
		tab := c.year(lastYear)
		return lastYear, tab, tab.total()
	}
	tab, k := c.year(y), lt.YearDay()-1
	return y, tab, tab.cum[k] + tab.within(k, t)
}

// addOpen returns the earliest instant at which d > 0 of open time has elapsed since
// start, ignoring pauses; the zero time if that is past lastYear.
func (c *Calendar) addOpen(start time.Time, d time.Duration) time.Time {
	if c.always {
		return start.Add(d).UTC()
	}
	y, tab, f := c.position(start)
	for d > tab.total()-f {
		d -= tab.total() - f
		if y++; y > lastYear {
			return time.Time{}
		}
		tab, f = c.year(y), 0
	}
	f += d
	k := sort.Search(tab.days(), func(k int) bool { return tab.cum[k+1] >= f })
	return tab.at(k, f)
}

// openBetween returns the open time in [a, b), ignoring pauses; 0 when b <= a.
func (c *Calendar) openBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.always {
		return b.Sub(a)
	}
	ya, ta, fa := c.position(a)
	yb, _, fb := c.position(b)
	if ya == yb {
		return fb - fa
	}
	sum := ta.total() - fa + fb
	for y := ya + 1; y < yb; y++ {
		sum += c.year(y).total()
	}
	return sum
}
