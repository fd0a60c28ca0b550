package sla

import (
	"testing"
	"time"
)

// The Austrian holidays from rickar/cal must be the law's, under the policy's names, for
// every year we will run in: checked against referenceHolidays (fixed dates and Easter
// from published tables).
func TestAustrianHolidaysMatchTheLaw(t *testing.T) {
	for year := 2025; year <= 2035; year++ {
		want := referenceHolidays(t, year)
		got := austrianHolidays.in(year)
		if len(got) != len(want) {
			t.Errorf("%d: %d holidays, want %d: %v", year, len(got), len(want), got)
		}
		for _, h := range got {
			w, ok := want[h.Name]
			if !ok {
				t.Errorf("%d: unexpected holiday %q", year, h.Name)
				continue
			}
			if h.Month != w.Month() || h.Day != w.Day() {
				t.Errorf("%d: %s on %02d-%02d, want %s", year, h.Name, h.Month, h.Day, w.Format("01-02"))
			}
		}
	}
}

func TestStaatsfeiertagIsFirstMay(t *testing.T) {
	for year := 2025; year <= 2035; year++ {
		day := time.Date(year, time.May, 1, 12, 0, 0, 0, vienna)
		if name, ok := DefaultCalendar().Holiday(day); !ok || name != "Staatsfeiertag" {
			t.Errorf("%d-05-01: Holiday = %q, %v; want Staatsfeiertag", year, name, ok)
		}
		if DefaultCalendar().IsBusinessDay(day) {
			t.Errorf("%d-05-01 is a business day", year)
		}
	}
}

func TestEveryAustrianHolidayClosesTheDefaultCalendar(t *testing.T) {
	cal := DefaultCalendar()
	for year := 2025; year <= 2035; year++ {
		for name, d := range referenceHolidays(t, year) {
			noon := time.Date(year, d.Month(), d.Day(), 12, 0, 0, 0, vienna)
			if cal.IsOpen(noon) {
				t.Errorf("%s %d (%s) is open at noon", name, year, noon.Format(time.DateOnly))
			}
		}
	}
}
