// Package clock is the present as slaguard sees it. Everything that asks "what time is
// it" takes a func() time.Time, so tests (and the demo) can run the service at any instant;
// asynq, which schedules by the host's wall clock, gets instants translated by Wall.
package clock

import "time"

// System is the production clock: the host's time, in UTC.
func System() time.Time { return time.Now().UTC() }

// StartingAt returns a clock that reads at now and then advances with real time. It lets a
// whole service run as if it were another day and hour (a Sunday night, Christmas, the night
// of a DST change) while asynq's timers still fire after the real durations.
func StartingAt(at time.Time) func() time.Time {
	at = at.UTC()
	origin := time.Now()
	return func() time.Time { return at.Add(time.Since(origin)) }
}

// Wall returns the host's wall-clock instant at which the instant at of clock now comes.
// With the System clock it is at itself; asynq's ProcessAt wants this, not at.
func Wall(now func() time.Time, at time.Time) time.Time {
	if now == nil {
		return at
	}
	return time.Now().Add(at.Sub(now()))
}
