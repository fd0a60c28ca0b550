package sla

import (
	"math/rand/v2"
	"testing"
	"time"
)

// refCalendar is the naive reference for the property test: it walks minute by minute
// and asks of each minute whether its local wall clock is inside opening hours. It shares
// no code with Calendar, not even the holidays: those come from referenceHolidays.
type refCalendar struct {
	loc            *time.Location
	opens, closes  int // minutes after local midnight
	weekdays       [7]bool
	publicHolidays bool
	closed         map[int]bool // yyyymmdd
}

// easterSunday holds Western Easter dates from published tables, independent of any code.
var easterSunday = map[int]time.Time{
	2024: date(2024, 3, 31), 2025: date(2025, 4, 20), 2026: date(2026, 4, 5), 2027: date(2027, 3, 28),
	2028: date(2028, 4, 16), 2029: date(2029, 4, 1), 2030: date(2030, 4, 21), 2031: date(2031, 4, 13),
	2032: date(2032, 3, 28), 2033: date(2033, 4, 17), 2034: date(2034, 4, 9), 2035: date(2035, 3, 25),
	2036: date(2036, 4, 13),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// referenceHolidays lists Austria's public holidays of year by name, from the law's
// definitions: fixed dates and days after Easter Sunday.
func referenceHolidays(tb testing.TB, year int) map[string]time.Time {
	easter, ok := easterSunday[year]
	if !ok {
		tb.Fatalf("no Easter date for %d", year)
	}
	return map[string]time.Time{
		"Neujahr":             date(year, 1, 1),
		"Heilige Drei Könige": date(year, 1, 6),
		"Ostermontag":         easter.AddDate(0, 0, 1),
		"Staatsfeiertag":      date(year, 5, 1),
		"Christi Himmelfahrt": easter.AddDate(0, 0, 39),
		"Pfingstmontag":       easter.AddDate(0, 0, 50),
		"Fronleichnam":        easter.AddDate(0, 0, 60),
		"Mariä Himmelfahrt":   date(year, 8, 15),
		"Nationalfeiertag":    date(year, 10, 26),
		"Allerheiligen":       date(year, 11, 1),
		"Mariä Empfängnis":    date(year, 12, 8),
		"Christtag":           date(year, 12, 25),
		"Stefanitag":          date(year, 12, 26),
	}
}

func ymd(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

func newRefCalendar(tb testing.TB, zone string, opens, closes int, weekdays []time.Weekday, holidays bool, closedDays ...string) *refCalendar {
	r := &refCalendar{loc: mustLoad(zone), opens: opens, closes: closes, publicHolidays: holidays, closed: map[int]bool{}}
	for _, d := range weekdays {
		r.weekdays[d] = true
	}
	if holidays {
		for y := 2024; y <= 2036; y++ {
			for _, d := range referenceHolidays(tb, y) {
				r.closed[ymd(d.Date())] = true
			}
		}
	}
	for _, s := range closedDays {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			tb.Fatal(err)
		}
		r.closed[ymd(d.Date())] = true
	}
	return r
}

func (r *refCalendar) isOpen(t time.Time) bool {
	lt := t.In(r.loc)
	hour, minute, _ := lt.Clock()
	if clock := hour*60 + minute; clock < r.opens || clock >= r.closes || !r.weekdays[lt.Weekday()] {
		return false
	}
	return !r.closed[ymd(lt.Date())]
}

func refPaused(t time.Time, pauses []Interval) bool {
	for _, p := range pauses {
		if !t.Before(p.From) && (p.To.IsZero() || t.Before(p.To)) {
			return true
		}
	}
	return false
}

// add steps minute by minute; start, pauses and d must be whole minutes. It gives up
// (the zero time) after limit, which is how an open-ended pause shows.
func (r *refCalendar) add(start time.Time, d time.Duration, pauses []Interval, limit time.Duration) time.Time {
	if d <= 0 {
		return start.UTC()
	}
	var counted time.Duration
	for t := start; t.Sub(start) < limit; t = t.Add(time.Minute) {
		if r.isOpen(t) && !refPaused(t, pauses) {
			if counted += time.Minute; counted == d {
				return t.Add(time.Minute).UTC()
			}
		}
	}
	return time.Time{}
}

func (r *refCalendar) between(a, b time.Time, pauses []Interval) time.Duration {
	var counted time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if r.isOpen(t) && !refPaused(t, pauses) {
			counted += time.Minute
		}
	}
	return counted
}

type calendarUnderTest struct {
	name string
	cal  *Calendar
	ref  *refCalendar
}

func calendarsUnderTest(tb testing.TB) []calendarUnderTest {
	tb.Helper()
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	allDays := append([]time.Weekday{time.Sunday, time.Saturday}, weekdays...)
	mk := func(spec CalendarSpec) *Calendar {
		c, err := NewCalendar(spec)
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	closed := []string{"2026-12-24", "2026-12-31", "2027-03-29", "2028-10-30", "2029-03-25"}
	return []calendarUnderTest{
		{"default", DefaultCalendar(), newRefCalendar(tb, "Europe/Vienna", 8*60, 17*60, weekdays, true)},
		// Every hour of every day: DST changes fall inside opening hours.
		{"vienna-24h-company-holidays", mk(CalendarSpec{Opens: "00:00", Closes: "24:00",
			Weekdays: []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"},
			Holidays: "none", ClosedDays: closed}),
			newRefCalendar(tb, "Europe/Vienna", 0, 24*60, allDays, false, closed...)},
		{"new-york-mon-sat", mk(CalendarSpec{TimeZone: "America/New_York", Opens: "06:30", Closes: "22:15",
			Weekdays: []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}, ClosedDays: closed}),
			newRefCalendar(tb, "America/New_York", 6*60+30, 22*60+15,
				append([]time.Weekday{time.Saturday}, weekdays...), true, closed...)},
	}
}

// interestingInstants are DST changes (EU and US) and holidays of 2025–2030, where the
// calendar is most likely to be wrong.
func interestingInstants(tb testing.TB) []time.Time {
	var out []time.Time
	for y := 2025; y <= 2030; y++ {
		for _, d := range referenceHolidays(tb, y) {
			out = append(out, d)
		}
		for _, zone := range []string{"Europe/Vienna", "America/New_York"} {
			loc := mustLoad(zone)
			t := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
			_, end := t.ZoneBounds()
			for ; end.Year() == y; _, end = end.ZoneBounds() {
				out = append(out, end)
			}
		}
	}
	return out
}

// randomMinute picks a whole-minute instant in 2025–2030, often within days of a DST
// change or holiday.
func randomMinute(rng *rand.Rand, interesting []time.Time) time.Time {
	if rng.IntN(10) < 4 {
		t := interesting[rng.IntN(len(interesting))]
		return t.Add(time.Duration(rng.IntN(8*24*60)-5*24*60) * time.Minute).Truncate(time.Minute)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return from.Add(time.Duration(rng.Int64N(6*365*24*60)) * time.Minute)
}

func randomPauses(rng *rand.Rand, around time.Time) []Interval {
	n := rng.IntN(4)
	ps := make([]Interval, n)
	for i := range ps {
		from := around.Add(time.Duration(rng.IntN(10*24*60)-2*24*60) * time.Minute)
		ps[i] = Interval{From: from, To: from.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute)}
		if rng.IntN(20) == 0 {
			ps[i].To = time.Time{}
		}
	}
	return ps
}

func randomBusinessDuration(rng *rand.Rand) time.Duration {
	switch r := rng.IntN(100); {
	case r < 75:
		return time.Duration(rng.IntN(12*60)+1) * time.Minute
	case r < 97:
		return time.Duration(rng.IntN(48*60)+1) * time.Minute
	default:
		return time.Duration(rng.IntN(160*60)+1) * time.Minute
	}
}

func TestCalendarMatchesMinuteSteppingReference(t *testing.T) {
	cases := 700 // per calendar, each an Add, a Between and an IsOpen
	if testing.Short() {
		cases = 100
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	interesting := interestingInstants(t)
	for _, c := range calendarsUnderTest(t) {
		t.Run(c.name, func(t *testing.T) {
			for i := range cases {
				start := randomMinute(rng, interesting)
				pauses := randomPauses(rng, start)
				d := randomBusinessDuration(rng)
				got := c.cal.Add(start, d, pauses)
				want := c.ref.add(start, d, pauses, 120*24*time.Hour)
				if !got.Equal(want) {
					t.Fatalf("case %d: Add(%s, %v, %v) = %s, reference %s", i, start, d, pauses, got, want)
				}

				b := start.Add(time.Duration(rng.IntN(4*24*60)) * time.Minute)
				if got, want := c.cal.Between(start, b, pauses), c.ref.between(start, b, pauses); got != want {
					t.Fatalf("case %d: Between(%s, %s, %v) = %v, reference %v", i, start, b, pauses, got, want)
				}
				if got, want := c.cal.IsOpen(b), c.ref.isOpen(b); got != want {
					t.Fatalf("case %d: IsOpen(%s) = %v, reference %v", i, b, got, want)
				}
			}
		})
	}
}
