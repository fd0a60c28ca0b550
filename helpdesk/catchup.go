package helpdesk

import (
	"context"
	"strconv"
	"time"
)

// Watermark is how far a catch-up sync has read a helpdesk's changes: tickets updated at
// or after Since are still to be read, and Cursor is the adapter's own position inside
// them (a page number, an export cursor; "" starts at Since). The zero Watermark reads
// from the beginning.
type Watermark struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
}

// ChangedPage is one page of a catch-up read: the changed tickets as snapshot events
// (no article, DeliveryID empty), oldest change first.
type ChangedPage struct {
	Tickets []Event
	// Next is where the following page starts; the caller stores it to survive a restart.
	Next Watermark
	// More is false on the last page: Next then names the newest change read.
	More bool
}

// Catchup is a helpdesk whose API can list the tickets changed since a watermark and
// rebuild a ticket's past, so that slaguard recovers the webhooks it never received.
// Adapters implement it next to Adapter; the reconciler is written against it only.
type Catchup interface {
	// Name is the helpdesk's name, as Adapter.Name.
	Name() string
	// Changed reads one page of tickets updated at or after since.Since, in ascending
	// order of their update. Failures worth retrying are *RetryableError (429 carries
	// Retry-After in After).
	Changed(ctx context.Context, since Watermark) (ChangedPage, error)
	// Timeline rebuilds the events of a ticket from the helpdesk's history: one event per
	// article and per change of state or priority, each a snapshot of the ticket as it
	// was then, with a DeliveryID that is the same every time the same change is rebuilt.
	// current is the ticket as Changed returned it.
	Timeline(ctx context.Context, current Event) ([]Event, error)
}

// CursorKeeper is a Catchup whose cursor stays valid from one pass to the next (Zendesk's
// export cursor): a pass then resumes at the stored cursor instead of reading again from
// the watermark less an overlap.
type CursorKeeper interface {
	KeepsCursor() bool
}

// TimeCatchup is a Catchup whose helpdesk books time without changing the ticket
// (Freshdesk leaves a ticket's updated_at alone when a time entry is added), so Changed
// never lists a ticket for its new time. A pass then also reads the time booked since a
// watermark of its own and feeds the tickets whose entries the store does not know.
type TimeCatchup interface {
	// BookedTime reads one page of the time entries booked (executed) at or after
	// since.Since, in whatever order the helpdesk lists them; Next and More as in
	// ChangedPage (Next names where the following page starts while More). A plan
	// without time tracking has none. Failures worth retrying are *RetryableError.
	BookedTime(ctx context.Context, since Watermark) (TimePage, error)
	// Snapshot reads ticket id as Changed lists a ticket, with its time-accounting ids:
	// what a pass feeds when the ticket has time the store does not know.
	Snapshot(ctx context.Context, id string) (Event, error)
}

// TimePage is one page of TimeCatchup.BookedTime.
type TimePage struct {
	Entries []TimeEntry
	Next    Watermark
	More    bool
}

// The attributes a Change names.
const (
	ChangeState    = "state"
	ChangePriority = "priority"
)

// Change is one change of a ticket's state or priority, as a helpdesk's history tells
// it: when, by whom, and the helpdesk's names before and after.
type Change struct {
	At       time.Time
	By       string
	Attr     string // ChangeState or ChangePriority
	From, To string
}

// FoldWindow is how close before an article a change is taken as part of the same action
// (an agent replies and sets pending in one go; helpdesks stamp the two a little apart).
const FoldWindow = time.Second

// Rebuild turns a ticket's history — its changes of state and priority and its articles,
// each in time order — into the snapshot events Catchup.Timeline returns. Each event is
// the ticket as cur shows it, with the state and priority it had then (set names them on
// the snapshot the helpdesk's way): one per article (a change within FoldWindow before it
// is folded into it), one per other change, and one at creation when no article came with
// it. The last event carries cur's time-accounting ids. Delivery ids are "catchup:" + the
// instant + the article id ("-" for none): the same however often the ticket is rebuilt.
func Rebuild(cur Event, changes []Change, articles []*Article, set func(t *Ticket, state, priority string)) []Event {
	// The state and priority at creation: what the first change of each came from.
	state, prio := cur.Ticket.State, cur.Ticket.PriorityName
	seenState, seenPrio := false, false
	for _, ch := range changes {
		switch {
		case ch.Attr == ChangeState && !seenState:
			state, seenState = ch.From, true
		case ch.Attr == ChangePriority && !seenPrio:
			prio, seenPrio = ch.From, true
		}
	}
	type point struct {
		at      time.Time
		by      string
		article *Article
		changes []Change
	}
	var points []point
	ci := 0
	for _, art := range articles {
		p := point{at: art.CreatedAt, by: art.CreatedBy, article: art}
		for ci < len(changes) && !changes[ci].At.After(art.CreatedAt) {
			ch := changes[ci]
			if art.CreatedAt.Sub(ch.At) <= FoldWindow {
				p.changes = append(p.changes, ch)
			} else {
				points = append(points, point{at: ch.At, by: ch.By, changes: []Change{ch}})
			}
			ci++
		}
		points = append(points, p)
	}
	for ; ci < len(changes); ci++ {
		points = append(points, point{at: changes[ci].At, by: changes[ci].By, changes: []Change{changes[ci]}})
	}
	created := cur.Ticket.CreatedAt
	if len(points) == 0 || points[0].at.Sub(created) > FoldWindow || points[0].article == nil {
		points = append([]point{{at: created, by: cur.Ticket.UpdatedBy}}, points...)
	}
	out := make([]Event, 0, len(points))
	for _, p := range points {
		for _, ch := range p.changes {
			if ch.Attr == ChangeState {
				state = ch.To
			} else {
				prio = ch.To
			}
		}
		t := cur.Ticket
		set(&t, state, prio)
		t.UpdatedAt, t.UpdatedBy = p.at, p.by
		t.TimeAccountingIDs = nil
		t.FirstResponseAt, t.ClosedAt = nil, nil
		art := "-"
		if p.article != nil {
			art = p.article.ID
		}
		out = append(out, Event{
			Helpdesk: cur.Helpdesk, DeliveryID: "catchup:" + strconv.FormatInt(p.at.UnixNano(), 10) + ":" + art,
			Ticket: t, Article: p.article,
		})
	}
	if n := len(out); n > 0 {
		out[n-1].Ticket.TimeAccountingIDs = cur.Ticket.TimeAccountingIDs
	}
	return out
}
