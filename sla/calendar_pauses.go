package sla

import (
	"slices"
	"time"
)

// mergePauses returns the pauses that matter from start on: empty ones dropped, each
// clipped to begin no earlier than start, sorted, and overlapping or touching ones merged.
// A zero To (not ended yet) swallows every later pause and ends the list.
func mergePauses(pauses []Interval, start time.Time) []Interval {
	if len(pauses) == 0 {
		return nil
	}
	ps := make([]Interval, 0, len(pauses))
	for _, p := range pauses {
		endless := p.To.IsZero()
		if !endless && (!p.To.After(p.From) || !p.To.After(start)) {
			continue
		}
		if p.From.Before(start) {
			p.From = start
		}
		ps = append(ps, Interval{From: p.From.UTC(), To: p.To.UTC()})
	}
	slices.SortFunc(ps, func(a, b Interval) int { return a.From.Compare(b.From) })
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.To.IsZero() {
				break
			}
			if !p.From.After(last.To) {
				if p.To.IsZero() || p.To.After(last.To) {
					last.To = p.To
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out
}
