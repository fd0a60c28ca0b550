package sla

import (
	"testing"
	"time"
)

// FuzzCalendar checks Calendar's invariants on arbitrary starts (2000–2100, to the
// nanosecond), durations (up to 20 000 h), one pause and each calendar under test:
// Between undoes Add, Add is monotonic in d, a deadline is open time or exactly a
// closing instant, and nothing panics.
func FuzzCalendar(f *testing.F) {
	f.Add(uint8(0), int64(1795420800), int64(8*time.Hour), int64(time.Hour), int64(0), int64(0), false)
	f.Add(uint8(0), int64(1774623600), int64(8*time.Hour), int64(9*time.Hour), int64(3600), int64(7200), false)
	f.Add(uint8(1), int64(1774740000), int64(26*time.Hour), int64(time.Minute), int64(-3600), int64(86400), false)
	f.Add(uint8(2), int64(1798099200), int64(72*time.Hour), int64(-1), int64(100), int64(0), true)
	f.Add(uint8(3), int64(0), int64(1), int64(1<<62), int64(1), int64(1), false)

	cals := append(calendarsUnderTest(f), calendarUnderTest{name: "24x7", cal: AlwaysOpen()})
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	const span = int64(100 * 365 * 24 * time.Hour / time.Second)

	f.Fuzz(func(t *testing.T, which uint8, startSec, dNanos, extraNanos, pauseOffSec, pauseLenSec int64, endless bool) {
		c := cals[int(which)%len(cals)].cal
		start := base.Add(time.Duration(mod(startSec, span))*time.Second + time.Duration(mod(dNanos, 1e9)))
		d := time.Duration(mod(dNanos, int64(20000*time.Hour)))
		d2 := d + time.Duration(mod(extraNanos, int64(1000*time.Hour)))
		var pauses []Interval
		if pauseLenSec != 0 || endless {
			from := start.Add(time.Duration(mod(pauseOffSec, 60*86400)-7*86400) * time.Second)
			p := Interval{From: from, To: from.Add(time.Duration(mod(pauseLenSec, 30*86400)) * time.Second)}
			if endless {
				p.To = time.Time{}
			}
			pauses = []Interval{p}
		}

		due := c.Add(start, d, pauses)
		due2 := c.Add(start, d2, pauses)
		if due.IsZero() {
			if !endless {
				t.Fatalf("Add(%s, %v, %v) is zero without an open-ended pause", start, d, pauses)
			}
			if !due2.IsZero() {
				t.Fatalf("Add(d) unknown but Add(%v) = %s", d2, due2)
			}
			return
		}
		if got := c.Between(start, due, pauses); got != d {
			t.Fatalf("Between(%s, Add(%v) = %s) = %v", start, d, due, got)
		}
		if !due2.IsZero() && due2.Before(due) {
			t.Fatalf("Add(%v) = %s before Add(%v) = %s", d2, due2, d, due)
		}
		if d > 0 && !c.IsOpen(due) && !c.IsOpen(due.Add(-time.Nanosecond)) {
			t.Fatalf("Add(%s, %v) = %s is in closed time and not a closing instant", start, d, due)
		}
		if n := c.NextOpen(due); n.Before(due) || !c.IsOpen(n) {
			t.Fatalf("NextOpen(%s) = %s", due, n)
		}
	})
}

// mod returns x modulo m (m > 0) in [0, m), for any x.
func mod(x, m int64) int64 {
	r := x % m
	if r < 0 {
		r += m
	}
	return r
}
