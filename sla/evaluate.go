package sla

import "time"

// Evaluate says what the policy makes of ticket t at instant now under terms (nil: the
// ticket matches no active contract) with the agency's correction rules (nil: none, and
// the default confirmation text): the effective priority, both clocks, the marks the
// ticket should carry and the next instant its status changes by itself.
//
// It is a pure function: no I/O, no clock of its own. The order and repetition of
// t.Snapshots do not matter. A now before the newest snapshot is taken as that
// snapshot's time (the helpdesk's clock may run ahead). A ticket without snapshots has
// nothing to evaluate: its status has only its id and no marks.
func Evaluate(terms *Terms, t Ticket, rules *Rules, now time.Time) Status {
	st := Status{TicketID: t.ID, Marks: []Mark{}}
	if len(t.Snapshots) == 0 {
		return st
	}
	tl := buildTimeline(t, now)
	st.Closed, st.Paused = tl.closed, tl.paused
	st.FirstResponse = Clock{State: ClockNone}
	st.Resolution = Clock{State: ClockNone}

	if terms == nil {
		st.NoContract = true
		st.Priority, st.Source = effectivePriority(tl, nil)
		st.Marks = marksFor(nil, t, tl, &st, rules)
		return st
	}

	cls := classify(terms, t, tl)
	st.Priority, st.Source = effectivePriority(tl, cls.correction)
	st.Correction = cls.correction
	st.ChangeRequest = cls.changeRequestRule != ""
	st.ChangeRequestRule = cls.changeRequestRule
	st.Critical = st.Priority == Critical
	st.OverQuota = !st.ChangeRequest && overQuota(terms, t.QuotaPosition)

	cal := terms.CalendarFor(st.Priority)
	pct := atRiskPercent(terms)
	closedAt := tl.closedSince // closing meets both clocks (a closed ticket needs no answer)

	firstMet := tl.firstReply
	if firstMet.IsZero() || (!closedAt.IsZero() && closedAt.Before(firstMet)) {
		firstMet = closedAt
	}
	var next1, next2 time.Time
	st.FirstResponse, next1 = clockInput{
		cal: cal, created: tl.created, target: targetFor(terms.FirstResponse, st.Priority), percent: pct,
		stops: mergeStops(tl.waits, tl.closes), stoppedNow: tl.paused || tl.closed, metAt: firstMet, now: tl.now,
	}.run()
	if !st.ChangeRequest {
		st.Resolution, next2 = clockInput{
			cal: cal, created: tl.created, target: targetFor(terms.Resolution, st.Priority), percent: pct,
			stops: mergeStops(tl.waits, tl.closes), stoppedNow: tl.paused || tl.closed, metAt: closedAt, now: tl.now,
		}.run()
	}
	st.NextCheck = earliest(next1, next2)
	st.Marks = marksFor(terms, t, tl, &st, rules)
	return st
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}
