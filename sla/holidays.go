package sla

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
)

// publicHoliday is one public holiday as data: the name the policy uses and the rule
// (fixed date or offset from Easter) that places it in a year.
type publicHoliday struct {
	Name string
	Rule *cal.Holiday
}

// holidaySet is a named set of public holidays a calendar may close on.
type holidaySet []publicHoliday

// Holiday set names accepted in CalendarSpec.Holidays.
const (
	HolidaysAustria = "AT"
	HolidaysNone    = "none"
)

// austrianHolidays are the Austrian public holidays of the policy, every year. The dates
// come from rickar/cal (checked against our own list in holidays_test.go); the names are
// the policy's: rickar calls 1 May "Tag der Arbeit", Austria's law calls it Staatsfeiertag.
var austrianHolidays = holidaySet{
	{"Neujahr", at.Neujahr},
	{"Heilige Drei Könige", at.HeiligeDreiKoenige},
	{"Ostermontag", at.Ostermontag},
	{"Staatsfeiertag", at.TagderArbeit},
	{"Christi Himmelfahrt", at.ChristiHimmelfahrt},
	{"Pfingstmontag", at.Pfingstmontag},
	{"Fronleichnam", at.Fronleichnam},
	{"Mariä Himmelfahrt", at.MariaHimmelfahrt},
	{"Nationalfeiertag", at.Nationalfeiertag},
	{"Allerheiligen", at.Allerheiligen},
	{"Mariä Empfängnis", at.MariaEmpfaengnis},
	{"Christtag", at.Christtag},
	{"Stefanitag", at.Stefanitag},
}

// holidaySets maps CalendarSpec.Holidays values to their sets; "" means Austria.
var holidaySets = map[string]holidaySet{
	"":              austrianHolidays,
	HolidaysAustria: austrianHolidays,
	HolidaysNone:    nil,
}

// closedDay is a civil date on which a calendar is closed, and why.
type closedDay struct {
	Month time.Month
	Day   int
	Name  string
}

// in returns the holidays of the set that fall in year, in the set's order. Only the
// civil date of a rule's result is used, never its instant or location.
func (s holidaySet) in(year int) []closedDay {
	out := make([]closedDay, 0, len(s))
	for _, h := range s {
		d, _ := h.Rule.Calc(year)
		if d.IsZero() || d.Year() != year {
			continue
		}
		out = append(out, closedDay{Month: d.Month(), Day: d.Day(), Name: h.Name})
	}
	return out
}
