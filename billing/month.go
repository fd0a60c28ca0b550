package billing

import (
	"errors"
	"fmt"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// ErrBadMonth is returned for a month that is not written YYYY-MM (01–12).
var ErrBadMonth = errors.New("billing: month must be YYYY-MM")

// ErrMonthNotOver is returned by Close for the current or a future month: only a month
// that has ended can be closed, so adjustments always have an open month to go to.
var ErrMonthNotOver = errors.New("billing: the month has not ended yet")

// vienna is where billing months and dates are counted.
var vienna = sla.Vienna

// dateOf returns the local date (Europe/Vienna) of t as "YYYY-MM-DD".
func dateOf(t time.Time) string { return t.In(vienna).Format("2006-01-02") }

// parseMonth returns the first local midnight of month s ("YYYY-MM", years 1900–9999);
// it wraps ErrBadMonth on anything else.
func parseMonth(s string) (time.Time, error) {
	if len(s) != 7 || s[4] != '-' {
		return time.Time{}, fmt.Errorf("%w, not %q", ErrBadMonth, s)
	}
	for i, r := range s {
		if i != 4 && (r < '0' || r > '9') {
			return time.Time{}, fmt.Errorf("%w, not %q", ErrBadMonth, s)
		}
	}
	t, err := time.ParseInLocation("2006-01", s, vienna)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, fmt.Errorf("%w, not %q", ErrBadMonth, s)
	}
	return t, nil
}

// nextMonth returns the month after m ("YYYY-MM", already valid).
func nextMonth(m string) string {
	t, err := parseMonth(m)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}
