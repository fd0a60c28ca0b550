package billing

import (
	"maps"
	"sort"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// reconcile decides how a ticket's stored lines (existing) must change so that, for every
// entry, the lines sum to what the helpdesk says now (desired, by entry id; a missing id
// means the entry was deleted). Lines in closed months are never touched:
//
//   - an entry with no line in a closed month and not booked in a closed month has one
//     line of its own, rewritten in place;
//   - otherwise its frozen lines stay and the difference, per category, is posted as
//     adjustment lines in the first open month from now; existing open adjustments that
//     already make up that difference are kept where they are, so a re-sync moves nothing.
//
// It returns the lines to write and the lines to delete.
func reconcile(existing []Entry, desired map[string]Entry, closed map[string]bool, now time.Time) (puts, dels []Entry) {
	byEntry := map[string][]Entry{}
	for _, e := range existing {
		byEntry[e.EntryID] = append(byEntry[e.EntryID], e)
	}
	ids := make([]string, 0, len(byEntry)+len(desired))
	for id := range byEntry {
		ids = append(ids, id)
	}
	for id := range desired {
		if _, ok := byEntry[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)

	adjMonth, adjDate := sla.Month(now), dateOf(now)
	for closed[adjMonth] { // a clock behind the one that closed the month
		adjMonth = nextMonth(adjMonth)
		adjDate = adjMonth + "-01"
	}

	for _, id := range ids {
		var frozen, open []Entry
		for _, e := range byEntry[id] {
			if closed[e.month()] {
				frozen = append(frozen, e)
			} else {
				open = append(open, e)
			}
		}
		d, has := desired[id]
		var want []Entry
		if len(frozen) == 0 && (!has || !closed[d.month()]) {
			if has {
				want = []Entry{d}
			}
		} else {
			want = adjustments(frozen, d, has, adjDate)
			if allAdjustments(open) && maps.Equal(sums(open), sums(want)) {
				want = open
			}
		}
		kept := map[string]bool{}
		old := map[string]Entry{}
		for _, e := range open {
			old[e.key()] = e
		}
		for _, w := range want {
			kept[w.key()] = true
			if o, ok := old[w.key()]; !ok || o != w {
				puts = append(puts, w)
			}
		}
		for _, e := range open {
			if !kept[e.key()] {
				dels = append(dels, e)
			}
		}
	}
	return puts, dels
}

// adjustments returns, per category, the line that brings the frozen lines of one entry
// to d (or to nothing when the entry is gone), posted on date.
func adjustments(frozen []Entry, d Entry, has bool, date string) []Entry {
	sort.Slice(frozen, func(i, j int) bool { return frozen[i].Date+frozen[i].key() < frozen[j].Date+frozen[j].key() })
	base, origin := d, ""
	if has {
		origin = d.month()
	} else {
		base = frozen[len(frozen)-1]
		for _, e := range frozen {
			if e.AdjustmentOf == "" {
				origin = e.month()
			} else if origin == "" {
				origin = e.AdjustmentOf
			}
		}
	}
	// One line per contract and category, so a ticket that moved to another contract
	// takes the time back from the old one and books it on the new one.
	var keys []bucket
	seen := map[bucket]bool{}
	for _, e := range append(append([]Entry(nil), frozen...), d) {
		if k := (bucket{e.ContractID, e.Category}); (e != d || has) && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].contract != keys[j].contract {
			return keys[i].contract < keys[j].contract
		}
		return rank(keys[i].category) < rank(keys[j].category)
	})
	var out []Entry
	for _, k := range keys {
		var booked, billed, amount, rate int64
		a := base
		for _, e := range frozen {
			if (bucket{e.ContractID, e.Category}) == k {
				booked, billed, amount, rate = booked-e.BookedSeconds, billed-e.BilledSeconds, amount-e.AmountCents, e.RateCentsPerHour
				if !has || d.ContractID != k.contract {
					a.ContractID, a.ContractName = e.ContractID, e.ContractName
				}
			}
		}
		reason := "changed after " + origin + " was closed"
		if has && (bucket{d.ContractID, d.Category}) == k {
			booked, billed, amount, rate = booked+d.BookedSeconds, billed+d.BilledSeconds, amount+d.AmountCents, d.RateCentsPerHour
			if len(frozen) == 0 {
				reason = "booked after " + origin + " was closed"
			}
			reason += "; " + d.Reason
		} else if !has {
			reason = "deleted after " + origin + " was closed"
		}
		if booked == 0 && billed == 0 && amount == 0 {
			continue
		}
		a.Date, a.Category, a.RateCentsPerHour, a.Reason, a.AdjustmentOf = date, k.category, rate, reason, origin
		a.BookedSeconds, a.BilledSeconds, a.AmountCents = booked, billed, amount
		out = append(out, a)
	}
	return out
}

type bucket struct {
	contract string
	category Category
}

// rank orders categories as exports show them.
func rank(c Category) int {
	for i, k := range Categories {
		if k == c {
			return i
		}
	}
	return len(Categories)
}

func allAdjustments(es []Entry) bool {
	for _, e := range es {
		if e.AdjustmentOf == "" {
			return false
		}
	}
	return true
}

// sums is what lines of one entry add up to, per contract and category.
func sums(es []Entry) map[bucket][3]int64 {
	out := map[bucket][3]int64{}
	for _, e := range es {
		k := bucket{e.ContractID, e.Category}
		v := out[k]
		v[0], v[1], v[2] = v[0]+e.BookedSeconds, v[1]+e.BilledSeconds, v[2]+e.AmountCents
		out[k] = v
	}
	for k, v := range out {
		if v == [3]int64{} {
			delete(out, k)
		}
	}
	return out
}
