package freshdesk

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

// Freshdesk does not change a ticket's updated_at when a time entry is added, so the
// ticket listing of Changed never shows new time. BookedTime reads the account's time
// entries instead: GET /api/v2/time_entries?executed_after=…&per_page=100&page=N
// (developers.freshdesk.com, "List All Time Entries"; its other filters are
// executed_before, agent_id, company_id and billable, and there is no updated_since).
// executed_at is when the work was done, which the agent may set in the past: the
// caller reads again from well before its watermark. Freshdesk documents no order of
// this list, so a pass reads all its pages under one executed_after.

// BookedTime reads one page of the time entries executed at or after since.Since;
// since.Cursor is the page number, up to MaxListPage (MaxListPage as configured) as for
// the ticket listing. A plan without time tracking has none.
func (a *Adapter) BookedTime(ctx context.Context, since helpdesk.Watermark) (helpdesk.TimePage, error) {
	page, err := pageOf(since, "time catch-up")
	if err != nil {
		return helpdesk.TimePage{}, err
	}
	q := url.Values{"executed_after": {since.Since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")},
		"per_page": {strconv.Itoa(a.pageSize)}, "page": {strconv.Itoa(page)}}
	c := call{What: "list time entries", Method: "GET", Path: "/time_entries?" + q.Encode()}
	var list []timeEntryJSON
	err = a.api.Do(ctx, c, &list)
	if err != nil && strings.Contains(err.Error(), "require_feature") {
		return helpdesk.TimePage{Next: helpdesk.Watermark{Since: since.Since}}, nil
	}
	if err != nil {
		return helpdesk.TimePage{}, err
	}
	out := helpdesk.TimePage{Next: helpdesk.Watermark{Since: since.Since}}
	for _, e := range list {
		id := e.TicketID.Trim()
		if !validID(id) {
			return helpdesk.TimePage{}, a.api.Errorf(c, "time entry %s: ticket id %q", e.ID.Trim(), id)
		}
		te, err := e.entry(id)
		if err != nil {
			return helpdesk.TimePage{}, err
		}
		out.Entries = append(out.Entries, te)
	}
	if len(list) == a.pageSize && page < a.maxPage {
		out.Next.Cursor, out.More = strconv.Itoa(page+1), true
	}
	return out, nil
}

// Snapshot reads ticket id as Changed lists it, with the ids of its time entries
// (GET /api/v2/tickets/{id}?include=requester,company,stats and …/time_entries).
func (a *Adapter) Snapshot(ctx context.Context, id string) (helpdesk.Event, error) {
	_, ev, err := a.readTicket(ctx, id)
	if err != nil {
		return helpdesk.Event{}, err
	}
	if err := a.timeIDs(ctx, &ev); err != nil {
		return helpdesk.Event{}, err
	}
	ev.Helpdesk = Name
	return ev, nil
}

// Interface check: the adapter reads the time booked without a ticket change.
var _ helpdesk.TimeCatchup = (*Adapter)(nil)
