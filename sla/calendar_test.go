package sla

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

var vienna = mustLoad("Europe/Vienna")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// wien returns a Europe/Vienna wall-clock time "2006-01-02 15:04" as an instant.
func wien(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, vienna)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

type businessHoursVector struct {
	Start  time.Time      `json:"start"`
	Hours  float64        `json:"hours"`
	Pauses [][2]time.Time `json:"pauses"`
	Due    time.Time      `json:"due"`
}

func TestBusinessHoursVectors(t *testing.T) {
	raw, err := os.ReadFile("../../shared/vectors/business_hours.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []businessHoursVector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) == 0 {
		t.Fatal("no vectors")
	}
	cal := DefaultCalendar()
	for i, v := range vectors {
		pauses := make([]Interval, len(v.Pauses))
		for j, p := range v.Pauses {
			pauses[j] = Interval{From: p[0], To: p[1]}
		}
		d := time.Duration(v.Hours * float64(time.Hour))
		got := cal.Add(v.Start, d, pauses)
		if !got.Equal(v.Due) || got.Location() != time.UTC {
			t.Errorf("case %d: Add(%s, %v, %v) = %s, want %s", i, v.Start, d, v.Pauses, got, v.Due)
			continue
		}
		if back := cal.Between(v.Start, got, pauses); back != d {
			t.Errorf("case %d: Between(start, due) = %v, want %v", i, back, d)
		}
	}
}

// The worked examples of POLICY.md, "Business hours".

func TestPolicyFridayAfternoonPlus8h(t *testing.T) {
	expectAdd(t, DefaultCalendar(), "2026-11-27 16:00", 8*time.Hour, nil, "2026-11-30 15:00")
}

func TestPolicyChristmasEvePlus8hSkipsChristtag(t *testing.T) {
	expectAdd(t, DefaultCalendar(), "2026-12-24 10:00", 8*time.Hour, nil, "2026-12-28 09:00")
}

func TestPolicyDeadlineOnClosingTimeStaysAtClosing(t *testing.T) {
	expectAdd(t, DefaultCalendar(), "2026-11-23 08:00", 72*time.Hour, nil, "2026-12-02 17:00")
}

func TestPolicyGoodFridayPlus12hSkipsOstermontag(t *testing.T) {
	expectAdd(t, DefaultCalendar(), "2026-04-03 12:00", 12*time.Hour, nil, "2026-04-07 15:00")
}

func TestPolicyWaitingOnCustomerStopsTheClock(t *testing.T) {
	pause := []Interval{{From: wien(t, "2026-11-23 11:00"), To: wien(t, "2026-11-25 14:00")}}
	expectAdd(t, DefaultCalendar(), "2026-11-23 09:00", 48*time.Hour, pause, "2026-12-02 15:00")
}

// The EU spring change of 2026 is Sunday 29 March: Friday 27 March 15:00 CET + 8 h
// ends Monday 30 March 14:00 CEST, which is 12:00 UTC.
func TestPolicyDaylightSavingCountsLocalHours(t *testing.T) {
	got := DefaultCalendar().Add(wien(t, "2026-03-27 15:00"), 8*time.Hour, nil)
	if want := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func expectAdd(t *testing.T, cal *Calendar, start string, d time.Duration, pauses []Interval, want string) {
	t.Helper()
	got := cal.Add(wien(t, start), d, pauses)
	if w := wien(t, want); !got.Equal(w) {
		t.Fatalf("Add(%s, %v) = %s, want %s (%s)", start, d, got.In(vienna).Format("Mon 2006-01-02 15:04"), want, w.UTC())
	}
	if got.Location() != time.UTC {
		t.Fatalf("result in %v, want UTC", got.Location())
	}
}

func TestAddEdgeCases(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name   string
		start  string
		d      time.Duration
		pauses []Interval
		want   string // "" means the zero time
	}{
		{"zero duration returns start even when closed", "2026-11-28 03:00", 0, nil, "2026-11-28 03:00"},
		{"negative duration returns start", "2026-11-25 10:00", -time.Hour, nil, "2026-11-25 10:00"},
		{"arrival at night starts at next opening", "2026-11-25 03:00", time.Hour, nil, "2026-11-25 09:00"},
		{"arrival at closing time counts from next morning", "2026-11-25 17:00", time.Minute, nil, "2026-11-26 08:01"},
		{"exactly one day ends at closing", "2026-11-25 08:00", 9 * time.Hour, nil, "2026-11-25 17:00"},
		{"weekend arrival", "2026-11-28 12:00", 2 * time.Hour, nil, "2026-11-30 10:00"},
		{"Nationalfeiertag on Monday", "2026-10-23 16:00", 2 * time.Hour, nil, "2026-10-27 09:00"},
		{"open-ended pause before the deadline makes it unknown", "2026-11-25 09:00", 2 * time.Hour,
			[]Interval{{From: wien(t, "2026-11-25 10:00")}}, ""},
		{"open-ended pause after the deadline does not matter", "2026-11-25 09:00", 2 * time.Hour,
			[]Interval{{From: wien(t, "2026-11-25 11:00")}}, "2026-11-25 11:00"},
		{"pause before start is ignored, its tail counts", "2026-11-25 09:00", time.Hour,
			[]Interval{{From: wien(t, "2026-11-24 09:00"), To: wien(t, "2026-11-25 09:30")}}, "2026-11-25 10:30"},
		{"unsorted overlapping pauses", "2026-11-25 09:00", 2 * time.Hour, []Interval{
			{From: wien(t, "2026-11-25 11:00"), To: wien(t, "2026-11-25 12:00")},
			{From: wien(t, "2026-11-25 09:30"), To: wien(t, "2026-11-25 10:00")},
			{From: wien(t, "2026-11-25 09:45"), To: wien(t, "2026-11-25 10:15")},
		}, "2026-11-25 12:45"},
		{"pause ending before it starts is empty", "2026-11-25 09:00", time.Hour,
			[]Interval{{From: wien(t, "2026-11-25 09:30"), To: wien(t, "2026-11-25 09:10")}}, "2026-11-25 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.Add(wien(t, tt.start), tt.d, tt.pauses)
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("got %s, want the zero time", got)
				}
				return
			}
			if want := wien(t, tt.want); !got.Equal(want) {
				t.Fatalf("got %s, want %s", got.In(vienna), want)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name   string
		a, b   string
		pauses []Interval
		want   time.Duration
	}{
		{"b before a", "2026-11-25 12:00", "2026-11-25 10:00", nil, 0},
		{"within a day", "2026-11-25 10:00", "2026-11-25 12:30", nil, 150 * time.Minute},
		{"a whole week", "2026-11-23 00:00", "2026-11-30 00:00", nil, 45 * time.Hour},
		{"Christmas week 2026", "2026-12-21 00:00", "2026-12-28 00:00", nil, 36 * time.Hour},
		{"a year spanning the new year", "2026-12-31 16:00", "2027-01-04 09:00", nil, 2 * time.Hour},
		{"open-ended pause lasts past b", "2026-11-25 10:00", "2026-11-26 12:00",
			[]Interval{{From: wien(t, "2026-11-25 11:00")}}, time.Hour},
		{"pause over the evening only takes open time", "2026-11-25 10:00", "2026-11-26 10:00",
			[]Interval{{From: wien(t, "2026-11-25 16:00"), To: wien(t, "2026-11-26 09:00")}}, 7 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.Between(wien(t, tt.a), wien(t, tt.b), tt.pauses); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextOpenAndIsOpen(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		at, next string
		open     bool
	}{
		{"2026-11-25 10:00", "2026-11-25 10:00", true},
		{"2026-11-25 08:00", "2026-11-25 08:00", true},
		{"2026-11-25 07:59", "2026-11-25 08:00", false},
		{"2026-11-25 17:00", "2026-11-26 08:00", false},
		{"2026-11-27 18:00", "2026-11-30 08:00", false},
		{"2026-12-24 18:00", "2026-12-28 08:00", false},
		{"2026-12-08 10:00", "2026-12-09 08:00", false}, // Mariä Empfängnis, a Tuesday
		{"2027-01-06 10:00", "2027-01-07 08:00", false},
	}
	for _, tt := range tests {
		at := wien(t, tt.at)
		if got := cal.IsOpen(at); got != tt.open {
			t.Errorf("IsOpen(%s) = %v, want %v", tt.at, got, tt.open)
		}
		if got, want := cal.NextOpen(at), wien(t, tt.next); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("NextOpen(%s) = %s, want %s", tt.at, got.In(vienna), tt.next)
		}
	}
	at := wien(t, "2026-11-25 10:00").Add(123 * time.Nanosecond)
	if got := cal.NextOpen(at); !got.Equal(at) {
		t.Errorf("NextOpen keeps nanoseconds: got %s, want %s", got, at)
	}
}

func TestIsBusinessDayAndHoliday(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		day      string
		business bool
		holiday  string
	}{
		{"2026-11-25 23:30", true, ""},
		{"2026-11-28 12:00", false, ""},
		{"2026-05-01 12:00", false, "Staatsfeiertag"},
		{"2026-06-04 12:00", false, "Fronleichnam"},
		{"2026-12-26 12:00", false, "Stefanitag"},
	}
	for _, tt := range tests {
		at := wien(t, tt.day)
		if got := cal.IsBusinessDay(at); got != tt.business {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.day, got, tt.business)
		}
		name, ok := cal.Holiday(at)
		if name != tt.holiday || ok != (tt.holiday != "") {
			t.Errorf("Holiday(%s) = %q, %v, want %q", tt.day, name, ok, tt.holiday)
		}
	}
}

func TestAlwaysOpenCountsEveryInstant(t *testing.T) {
	cal := AlwaysOpen()
	if cal.Name() != "24x7" {
		t.Fatalf("Name = %q", cal.Name())
	}
	start := wien(t, "2026-12-25 03:00") // a holiday, at night
	pauses := []Interval{
		{From: start.Add(-time.Hour), To: start.Add(30 * time.Minute)},
		{From: start.Add(2 * time.Hour), To: start.Add(3 * time.Hour)},
	}
	if got, want := cal.Add(start, 4*time.Hour, pauses), start.Add(5*time.Hour+30*time.Minute); !got.Equal(want) {
		t.Fatalf("Add = %s, want %s", got, want)
	}
	if got := cal.Between(start, start.Add(4*time.Hour), pauses); got != 150*time.Minute {
		t.Fatalf("Between = %v, want 2h30m", got)
	}
	if !cal.IsOpen(start) || !cal.NextOpen(start).Equal(start) || !cal.IsBusinessDay(start) {
		t.Fatal("24/7 calendar is not always open")
	}
}

func TestNewCalendarDefaultsAndNames(t *testing.T) {
	c, err := NewCalendar(CalendarSpec{})
	if err != nil || c != DefaultCalendar() || c.Name() != "default" {
		t.Fatalf("empty spec: %v, %v, name %q", c, err, c.Name())
	}
	c, err = NewCalendar(CalendarSpec{TimeZone: "Europe/Vienna", Opens: "08:00", Closes: "17:00", Holidays: "AT",
		Weekdays: []string{"monday", "tuesday", "wednesday", "thursday", "friday"}})
	if err != nil || c.Name() != "default" {
		t.Fatalf("explicit default spec: %v, name %q", err, c.Name())
	}
	c, err = NewCalendar(CalendarSpec{ClosedDays: []string{"2026-12-24", "2026-12-31"}})
	if err != nil || c.Name() != "custom" {
		t.Fatalf("closed days: %v, name %q", err, c.Name())
	}
	// Company holidays close 24 and 31 December: 10:00 on the 23rd + 8 h is the 28th 09:00.
	if got, want := c.Add(wien(t, "2026-12-23 10:00"), 8*time.Hour, nil), wien(t, "2026-12-28 09:00"); !got.Equal(want) {
		t.Fatalf("Add over company holidays = %s, want %s", got.In(vienna), want)
	}
	if name, _ := c.Holiday(wien(t, "2026-12-31 12:00")); name != "company holiday" {
		t.Fatalf("Holiday(31 Dec) = %q", name)
	}
}

func TestNewCalendarCustomHoursZoneAndWeekdays(t *testing.T) {
	c, err := NewCalendar(CalendarSpec{TimeZone: "America/New_York", Opens: "09:30", Closes: "24:00",
		Weekdays: []string{"Saturday", "sunday"}, Holidays: "none"})
	if err != nil {
		t.Fatal(err)
	}
	ny := mustLoad("America/New_York")
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, ny) // Friday
	// Saturday 09:30–24:00 is 14h30m; 15 h end Sunday 10:00.
	if got, want := c.Add(start, 15*time.Hour, nil), time.Date(2026, 11, 29, 10, 0, 0, 0, ny); !got.Equal(want) {
		t.Fatalf("got %s, want %s", got.In(ny), want)
	}
	if c.Location() != ny && c.Location().String() != "America/New_York" {
		t.Fatalf("Location = %v", c.Location())
	}
}

func TestNewCalendarNamesTheBadField(t *testing.T) {
	tests := []struct {
		spec  CalendarSpec
		field string
	}{
		{CalendarSpec{TimeZone: "Mars/Olympus"}, "time_zone"},
		{CalendarSpec{TimeZone: "Local"}, "time_zone"},
		{CalendarSpec{Opens: "8:00"}, "opens"},
		{CalendarSpec{Opens: "+8:00"}, "opens"},
		{CalendarSpec{Opens: "24:00"}, "opens"},
		{CalendarSpec{Closes: "17:60"}, "closes"},
		{CalendarSpec{Closes: "24:01"}, "closes"},
		{CalendarSpec{Opens: "17:00", Closes: "08:00"}, "closes"},
		{CalendarSpec{Opens: "09:00", Closes: "09:00"}, "closes"},
		{CalendarSpec{Weekdays: []string{"monday", "tuesday", "funday"}}, "weekdays[2]"},
		{CalendarSpec{Weekdays: []string{"monday", "Monday"}}, "weekdays[1]"},
		{CalendarSpec{Holidays: "DE"}, "holidays"},
		{CalendarSpec{ClosedDays: []string{"24.12.2026"}}, "closed_days[0]"},
		{CalendarSpec{ClosedDays: []string{"2026-12-24", "2026-02-30"}}, "closed_days[1]"},
	}
	for _, tt := range tests {
		c, err := NewCalendar(tt.spec)
		var fe *CalendarFieldError
		if c != nil || !errors.As(err, &fe) || !errors.Is(err, ErrInvalidCalendar) {
			t.Errorf("%+v: got %v, %v; want a *CalendarFieldError", tt.spec, c, err)
			continue
		}
		if fe.Field != tt.field {
			t.Errorf("%+v: field %q, want %q (%v)", tt.spec, fe.Field, tt.field, err)
		}
	}
}

func TestCalendarIsSafeForConcurrentUse(t *testing.T) {
	c, err := NewCalendar(CalendarSpec{Opens: "07:00"})
	if err != nil {
		t.Fatal(err)
	}
	start := wien(t, "2026-01-05 07:00")
	want := c.Add(start, 5000*time.Hour, nil)
	done := make(chan time.Time)
	for range 8 {
		go func() { done <- c.Add(start, 5000*time.Hour, nil) }()
	}
	for range 8 {
		if got := <-done; !got.Equal(want) {
			t.Fatalf("concurrent Add = %s, want %s", got, want)
		}
	}
}

func TestNilCalendarIsTheDefault(t *testing.T) {
	start := wien(t, "2026-11-27 16:00")
	for _, c := range []*Calendar{nil, {}} {
		if got, want := c.Add(start, 8*time.Hour, nil), wien(t, "2026-11-30 15:00"); !got.Equal(want) || c.Name() != "default" {
			t.Fatalf("%#v: Add = %s, Name %q", c, got, c.Name())
		}
	}
}
