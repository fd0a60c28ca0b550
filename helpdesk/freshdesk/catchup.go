package freshdesk

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

// The catch-up sync lists tickets with GET /api/v2/tickets?updated_since=…&order_by=
// updated_at&order_type=asc&per_page=100&page=N (developers.freshdesk.com, "List All
// Tickets"). Freshdesk hands out at most 300 pages of one listing (page 301 is 400) and
// stamps updated_at in whole seconds. Rather than page on under one updated_since — a
// ticket updated meanwhile moves to the end of the list and the ones behind it move up a
// place, so one would be skipped — each page restarts the listing at the newest updated_at
// it read (its tickets come again; the reconciler looks at each update once), and pages
// on under the same updated_since only while a whole page shares one second. At the page
// cap, that second cannot be listed further: the listing restarts a second later (what
// Zammad's own Freshdesk importer does at the cap; tickets past 30 000 changed within one
// second are not read). Freshdesk keeps no history of a ticket's status through the
// API: Timeline takes the current status from when stats.status_updated_at says it was
// set, the messages from the conversations and the description.

// Listing limits of Freshdesk's ticket list.
const (
	ListPageSize = 100
	MaxListPage  = 300
)

// Changed reads one page of the tickets updated at or after since.Since, oldest first;
// since.Cursor is the page number while a run of whole pages shares one second.
func (a *Adapter) Changed(ctx context.Context, since helpdesk.Watermark) (helpdesk.ChangedPage, error) {
	page, err := pageOf(since, "catch-up")
	if err != nil {
		return helpdesk.ChangedPage{}, err
	}
	from := since.Since.UTC().Truncate(time.Second)
	q := url.Values{"updated_since": {from.Format("2006-01-02T15:04:05Z")}, "order_by": {"updated_at"},
		"order_type": {"asc"}, "per_page": {strconv.Itoa(a.pageSize)}, "page": {strconv.Itoa(page)},
		"include": {"requester,stats"}}
	c := call{What: "list changed tickets", Method: "GET", Path: "/tickets?" + q.Encode()}
	var list []ticketJSON
	err = a.api.Do(ctx, c, &list)
	if err != nil && page > 1 && strings.Contains(err.Error(), "400 ") {
		// The account's cap came before ours: go on past this second.
		return helpdesk.ChangedPage{Next: helpdesk.Watermark{Since: from.Add(time.Second)}, More: true}, nil
	}
	if err != nil {
		return helpdesk.ChangedPage{}, err
	}
	out := helpdesk.ChangedPage{Next: helpdesk.Watermark{Since: since.Since}}
	newest := since.Since
	for _, j := range list {
		ev, err := a.eventOf(j)
		if err != nil {
			return helpdesk.ChangedPage{}, a.api.Errorf(c, "ticket %s: %v", j.ID.Trim(), err)
		}
		out.Tickets = append(out.Tickets, ev)
		if ev.Ticket.UpdatedAt.After(newest) {
			newest = ev.Ticket.UpdatedAt
		}
	}
	out.Next.Since = newest
	if len(list) < a.pageSize {
		return out, nil
	}
	out.More = true
	switch {
	case newest.Truncate(time.Second).After(from):
		out.Next = helpdesk.Watermark{Since: newest}
	case page < a.maxPage:
		out.Next = helpdesk.Watermark{Since: since.Since, Cursor: strconv.Itoa(page + 1)}
	default:
		out.Next = helpdesk.Watermark{Since: from.Add(time.Second)}
	}
	return out, nil
}

// pageOf is the page number a watermark's cursor names (1 when it names none).
func pageOf(since helpdesk.Watermark, what string) (int, error) {
	if since.Cursor == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(since.Cursor)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("freshdesk: %s cursor %q is not a page number", what, since.Cursor)
	}
	return n, nil
}

// Timeline rebuilds a ticket's events from the ticket (GET /api/v2/tickets/{id} with
// requester, company and stats), its conversations and its time entries: the
// description as the customer's first message at creation, one event per conversation,
// and the current status from stats.status_updated_at on (from open before, Freshdesk's
// status of a new ticket); earlier pauses that ended are not in the API.
func (a *Adapter) Timeline(ctx context.Context, current helpdesk.Event) ([]helpdesk.Event, error) {
	id := current.Ticket.ID
	if !validID(id) {
		return nil, fmt.Errorf("freshdesk: ticket id %q is not a Freshdesk ticket id: %w", id, helpdesk.ErrNotFound)
	}
	tk, ev, err := a.readTicket(ctx, id)
	if err != nil {
		return nil, err
	}
	convs, err := a.conversations(ctx, id)
	if err != nil {
		return nil, err
	}
	articles := []*helpdesk.Article{a.description(tk, ev)}
	for _, cv := range convs {
		art, err := articleOf(cv)
		if err != nil {
			return nil, fmt.Errorf("freshdesk: ticket %s: conversation: %v", id, err)
		}
		articles = append(articles, art)
	}
	if err := a.timeIDs(ctx, &ev); err != nil {
		return nil, err
	}
	var changes []helpdesk.Change
	if tk.Stats != nil && int(tk.Status) != StatusOpen {
		at, err := parseTime("status_updated_at", tk.Stats.StatusUpdatedAt.Trim())
		if err != nil {
			return nil, fmt.Errorf("freshdesk: ticket %s: %v", id, err)
		}
		if at.After(ev.Ticket.CreatedAt) {
			changes = append(changes, helpdesk.Change{At: at, Attr: helpdesk.ChangeState,
				From: statusName(StatusOpen), To: ev.Ticket.State})
		}
	}
	ev.Helpdesk = Name
	return helpdesk.Rebuild(ev, changes, articles, a.set), nil
}

// set gives a rebuilt snapshot a status by name (priorities have no history here).
func (a *Adapter) set(t *helpdesk.Ticket, state, _ string) {
	code := statusCodes[state]
	if n, ok := strings.CutPrefix(state, "status "); ok {
		code, _ = strconv.Atoi(n)
	}
	t.State, t.Paused, t.Closed = state, a.paused[code], a.closed[code]
}

// Interface check: the adapter does the catch-up sync.
var _ helpdesk.Catchup = (*Adapter)(nil)
