package sla

import (
	"cmp"
	"slices"
	"time"
)

// timeline is a ticket's history as the clocks see it, derived from its ordered snapshots.
type timeline struct {
	created time.Time
	now     time.Time
	snaps   []Snapshot // sorted, without duplicates; never empty
	// waits and closes are the intervals the ticket waited on the customer or was closed,
	// disjoint and in order; an interval still open at now ends at now.
	waits, closes []Interval
	// paused and closed are the state at now.
	paused, closed bool
	// closedSince is when the current closure began (zero unless closed).
	closedSince time.Time
	// firstReply is the first public reply of a human agent (zero if none).
	firstReply time.Time
}

// orderSnapshots returns a sorted copy of snaps without duplicates. The order is total
// over every field, so any permutation of the same set gives the same result.
func orderSnapshots(snaps []Snapshot) []Snapshot {
	out := slices.Clone(snaps)
	slices.SortFunc(out, compareSnapshots)
	return slices.CompactFunc(out, func(a, b Snapshot) bool { return compareSnapshots(a, b) == 0 })
}

func compareSnapshots(a, b Snapshot) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	// At the same instant a person's change comes before our own write coming back, so a
	// tie never turns our write into someone else's decision.
	if c := compareBool(a.BySelf, b.BySelf); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Priority, b.Priority); c != 0 {
		return c
	}
	if c := cmp.Compare(a.State, b.State); c != 0 {
		return c
	}
	if c := compareBool(a.Paused, b.Paused); c != 0 {
		return c
	}
	if c := compareBool(a.Closed, b.Closed); c != 0 {
		return c
	}
	return compareMessages(a.Article, b.Article)
}

func compareMessages(a, b *Message) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	for _, c := range []int{
		compareBool(a.FromAgent, b.FromAgent), compareBool(a.Public, b.Public), compareBool(a.BySelf, b.BySelf),
		cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Body, b.Body),
	} {
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

type phase int

const (
	phaseOpen phase = iota
	phaseWaiting
	phaseClosed
)

func phaseOf(s Snapshot) phase {
	switch {
	case s.Closed:
		return phaseClosed
	case s.Paused:
		return phaseWaiting
	}
	return phaseOpen
}

// buildTimeline derives the history. The first snapshot gives the state at its instant
// (the ticket counts as open before it); later snapshots written by slaguard itself
// change no state, so its own writes coming back never move a clock.
func buildTimeline(t Ticket, now time.Time) *timeline {
	snaps := orderSnapshots(t.Snapshots)
	tl := &timeline{created: t.CreatedAt.UTC(), snaps: snaps}
	if tl.created.IsZero() {
		tl.created = snaps[0].At.UTC()
	}
	// The helpdesk's clock may run a little ahead of ours: never evaluate before the
	// newest snapshot or before creation.
	tl.now = now.UTC()
	if last := snaps[len(snaps)-1].At; last.After(tl.now) {
		tl.now = last.UTC()
	}
	if tl.created.After(tl.now) {
		tl.now = tl.created
	}

	cur, since := phaseOpen, tl.created
	end := func(at time.Time) {
		at = maxTime(at, tl.created)
		if at.After(since) {
			switch cur {
			case phaseWaiting:
				tl.waits = append(tl.waits, Interval{From: since, To: at})
			case phaseClosed:
				tl.closes = append(tl.closes, Interval{From: since, To: at})
			}
		}
	}
	for i, s := range snaps {
		if s.Article != nil {
			tl.noteMessage(s)
		}
		if i > 0 && s.BySelf {
			continue
		}
		if p := phaseOf(s); p != cur {
			end(s.At)
			cur, since = p, maxTime(s.At.UTC(), tl.created)
		}
	}
	end(tl.now)
	tl.paused = cur == phaseWaiting
	tl.closed = cur == phaseClosed
	if tl.closed {
		tl.closedSince = since
	}
	return tl
}

func (tl *timeline) noteMessage(s Snapshot) {
	m := *s.Article
	if m.At.IsZero() {
		m.At = s.At
	}
	m.At = maxTime(m.At.UTC(), tl.created)
	if s.BySelf {
		m.BySelf = true // whatever comes back with our own write is ours
	}
	if m.firstResponse() && (tl.firstReply.IsZero() || m.At.Before(tl.firstReply)) {
		tl.firstReply = m.At
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
