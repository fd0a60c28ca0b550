package contracts

import (
	"errors"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

// checkCalendar asks sla whether the spec is a calendar, and reports the bad field under
// "calendar." (sla names the first bad field only).
func checkCalendar(spec sla.CalendarSpec) []problem.FieldError {
	_, err := sla.NewCalendar(spec)
	if err == nil {
		return nil
	}
	var fe *sla.CalendarFieldError
	if errors.As(err, &fe) {
		return []problem.FieldError{{Field: "calendar." + fe.Field, Reason: fe.Reason}}
	}
	return []problem.FieldError{{Field: "calendar", Reason: err.Error()}}
}
