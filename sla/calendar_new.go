package sla

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// ErrInvalidCalendar is wrapped by every error NewCalendar returns.
var ErrInvalidCalendar = errors.New("sla: invalid calendar")

// CalendarFieldError says which field of a CalendarSpec is wrong, by its JSON name
// ("time_zone", "opens", "closes", "weekdays[2]", "holidays", "closed_days[0]"), and why.
// It wraps ErrInvalidCalendar; get it with errors.As to report the field.
type CalendarFieldError struct {
	Field  string
	Reason string
}

func (e *CalendarFieldError) Error() string {
	return fmt.Sprintf("sla: calendar %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidCalendar) hold.
func (e *CalendarFieldError) Unwrap() error { return ErrInvalidCalendar }

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday,
	"saturday": time.Saturday,
}

// NewCalendar builds a calendar from its spec, filling empty fields with the default
// calendar's values. It fails with a *CalendarFieldError naming the first bad field: an
// unknown or "Local" time zone, a time that is not "HH:MM" (closes may be "24:00"), opens
// not before closes, an unknown or repeated weekday, an unknown holiday set, a closing
// day that is not a "YYYY-MM-DD" date. A spec that amounts to the default calendar
// returns DefaultCalendar() itself (Name "default"), sharing its cache.
//
// Preset "24x7" returns AlwaysOpen(); it admits no other field.
func NewCalendar(spec CalendarSpec) (*Calendar, error) {
	switch spec.Preset {
	case "", CalendarDefault:
	case Calendar24x7:
		if spec.TimeZone != "" || spec.Opens != "" || spec.Closes != "" || len(spec.Weekdays) > 0 ||
			spec.Holidays != "" || len(spec.ClosedDays) > 0 {
			return nil, &CalendarFieldError{Field: "preset", Reason: "24x7 is open at every instant; leave the other calendar fields empty"}
		}
		return AlwaysOpen(), nil
	default:
		return nil, &CalendarFieldError{Field: "preset", Reason: fmt.Sprintf("%q is not a preset (want default or 24x7)", spec.Preset)}
	}
	c, err := newCalendar(spec)
	if err != nil {
		return nil, err
	}
	if c.name == CalendarDefault {
		return DefaultCalendar(), nil
	}
	return c, nil
}

func newCalendar(spec CalendarSpec) (*Calendar, error) {
	bad := func(field, format string, args ...any) error {
		return &CalendarFieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	c := &Calendar{name: CalendarCustom, closed: map[int][]closedDay{}}
	c.years = new([cachedLastYear - cachedFirstYear + 1]atomic.Pointer[yearTable])
	isDefault := true

	zone := spec.TimeZone
	if zone == "" {
		zone = "Europe/Vienna"
	}
	loc, err := Vienna, error(nil)
	if zone != "Europe/Vienna" {
		loc, err = time.LoadLocation(zone)
	}
	if err != nil || zone == "Local" {
		return nil, bad("time_zone", "%q is not an IANA time zone like Europe/Vienna", spec.TimeZone)
	}
	c.loc = loc
	isDefault = isDefault && zone == "Europe/Vienna"

	if c.opens, err = parseClock(spec.Opens, 8*60, false); err != nil {
		return nil, bad("opens", "%v", err)
	}
	if c.closes, err = parseClock(spec.Closes, 17*60, true); err != nil {
		return nil, bad("closes", "%v", err)
	}
	if c.opens >= c.closes {
		return nil, bad("closes", "must be after opens")
	}
	isDefault = isDefault && c.opens == 8*60 && c.closes == 17*60

	if len(spec.Weekdays) == 0 {
		for d := time.Monday; d <= time.Friday; d++ {
			c.weekdays[d] = true
		}
	}
	for i, name := range spec.Weekdays {
		d, ok := weekdayNames[strings.ToLower(strings.TrimSpace(name))]
		field := fmt.Sprintf("weekdays[%d]", i)
		switch {
		case !ok:
			return nil, bad(field, "%q is not a weekday like monday", name)
		case c.weekdays[d]:
			return nil, bad(field, "%q is listed twice", name)
		}
		c.weekdays[d] = true
	}
	isDefault = isDefault && c.weekdays == [7]bool{false, true, true, true, true, true, false}

	set, ok := holidaySets[spec.Holidays]
	if !ok {
		return nil, bad("holidays", "%q is not a holiday set (%s or %s)", spec.Holidays, HolidaysAustria, HolidaysNone)
	}
	c.holidays = set
	isDefault = isDefault && spec.Holidays != HolidaysNone

	for i, s := range spec.ClosedDays {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return nil, bad(fmt.Sprintf("closed_days[%d]", i), "%q is not a date like 2026-12-24", s)
		}
		c.closed[d.Year()] = append(c.closed[d.Year()], closedDay{Month: d.Month(), Day: d.Day(), Name: "company holiday"})
	}
	isDefault = isDefault && len(spec.ClosedDays) == 0

	if isDefault {
		c.name = CalendarDefault
	}
	return c, nil
}

// parseClock reads "HH:MM" as minutes after midnight; empty gives def. "24:00" (the end
// of the day) is accepted only when allowEnd is set.
func parseClock(s string, def int, allowEnd bool) (int, error) {
	if s == "" {
		return def, nil
	}
	digit := func(i int) int { return int(s[i] - '0') }
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("%q is not a time like 08:00", s)
	}
	h, m := digit(0)*10+digit(1), digit(3)*10+digit(4)
	if m > 59 || h > 24 || (h == 24 && (m != 0 || !allowEnd)) {
		return 0, fmt.Errorf("%q is not a time like 08:00", s)
	}
	return h*60 + m, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
