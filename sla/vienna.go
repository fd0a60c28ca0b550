package sla

import (
	"time"
	_ "time/tzdata" // Europe/Vienna must resolve even in an image without zoneinfo
)

// Vienna is Europe/Vienna, loaded once for all of slaguard: where people read deadlines,
// where contract dates and billing months are counted. Inside, time is UTC.
var Vienna = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Vienna")
	if err != nil { // cannot happen with time/tzdata linked in
		panic("sla: load Europe/Vienna: " + err.Error())
	}
	return loc
}()

// Month is the calendar month of t in Europe/Vienna, written "2026-11": the month a
// ticket counts against its quota and an entry is billed in.
func Month(t time.Time) string { return t.In(Vienna).Format("2006-01") }
