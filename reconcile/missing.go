package reconcile

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/ticketstore"
)

// tolerance is how far apart a rebuilt change and the webhook's snapshot of it may be and
// still be one change: Zammad stamps a history entry with the record's updated_at, the
// same instant the webhook's snapshot carries, but other helpdesks may not.
const tolerance = time.Second

// behind reports whether the store may have missed something of the ticket the helpdesk
// shows as cur: it knows nothing of it, or the helpdesk changed it after the newest event
// the store has. A ticket whose update the store has seen costs no request to the helpdesk.
func behind(rec *ticketstore.Record, cur helpdesk.Event) bool {
	if rec == nil || len(rec.Events) == 0 {
		return true
	}
	newest := rec.Events[len(rec.Events)-1].Ticket.UpdatedAt
	for _, e := range rec.Events {
		if e.Ticket.UpdatedAt.After(newest) {
			newest = e.Ticket.UpdatedAt
		}
	}
	return cur.Ticket.UpdatedAt.Sub(newest) > tolerance
}

// missing returns the events of the rebuilt timeline that the store's record lacks, in
// order. An article is known by its id. A change without an article is known when the
// log, with the events taken so far, already shows that state and priority at that
// instant (give or take the tolerance): feeding it would change nothing. A missing event
// counts towards what later ones are compared with, so a lost pause and a lost reopening
// are both recovered.
func missing(rec *ticketstore.Record, timeline []helpdesk.Event) []helpdesk.Event {
	var log []helpdesk.Event
	if rec != nil {
		log = slices.Clone(rec.Events)
	}
	sortEvents(log)
	articles := map[string]bool{}
	for _, e := range log {
		if e.Article != nil && e.Article.ID != "" {
			articles[e.Article.ID] = true
		}
	}
	var out []helpdesk.Event
	for _, ev := range timeline {
		if ev.Article != nil && ev.Article.ID != "" {
			if articles[ev.Article.ID] {
				continue
			}
			articles[ev.Article.ID] = true
		} else if shows(log, ev) {
			continue
		}
		out = append(out, ev)
		log = append(log, ev)
		sortEvents(log)
	}
	return out
}

// shows reports whether the log's newest event at ev's instant (within the tolerance)
// has ev's state and priority.
func shows(log []helpdesk.Event, ev helpdesk.Event) bool {
	limit := ev.Ticket.UpdatedAt.Add(tolerance)
	var last *helpdesk.Event
	for i := range log {
		if log[i].Ticket.UpdatedAt.After(limit) {
			break
		}
		last = &log[i]
	}
	return last != nil && strings.EqualFold(last.Ticket.State, ev.Ticket.State) &&
		samePriority(last.Ticket, ev.Ticket)
}

func samePriority(a, b helpdesk.Ticket) bool {
	if a.PriorityName != "" && b.PriorityName != "" {
		return strings.EqualFold(a.PriorityName, b.PriorityName)
	}
	return a.Priority == b.Priority
}

func sortEvents(evs []helpdesk.Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Ticket.UpdatedAt.Before(evs[j].Ticket.UpdatedAt) })
}

// timeIDsSeen reports whether the log has an event that lists exactly the ticket's
// time-accounting entries, so their sync has been asked for.
func timeIDsSeen(rec *ticketstore.Record, ids []string) bool {
	if len(ids) == 0 {
		return true
	}
	want := idList(ids)
	if rec == nil {
		return false
	}
	if rec.TimeIDs == want {
		return true
	}
	for _, e := range rec.Events {
		if idList(e.Ticket.TimeAccountingIDs) == want {
			return true
		}
	}
	return false
}

func idList(ids []string) string {
	s := slices.Clone(ids)
	sort.Strings(s)
	return strings.Join(s, ",")
}
