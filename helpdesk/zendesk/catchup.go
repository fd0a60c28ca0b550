package zendesk

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

// The catch-up sync reads Zendesk's cursor-based incremental ticket export
// (developer.zendesk.com, "Incremental Exports" and "Using the Incremental Export API"):
// GET /api/v2/incremental/tickets/cursor.json?start_time=<unix s> the first time, then
// ?cursor=<after_cursor> until end_of_stream; the last after_cursor is where the next pass
// goes on, so it is kept in the watermark (CursorKeeper). The export leaves out the last
// minute's changes (the next pass gets them through the cursor), may return a ticket
// again when something (even a system update) touched it, and answers at most 10
// requests a minute (429 with Retry-After, which the reconciler waits out).

// ExportPageSize is how many tickets one export page asks for (Zendesk's most: 1000).
const ExportPageSize = 1000

// KeepsCursor reports true: the export's after_cursor stays valid from pass to pass.
func (a *Adapter) KeepsCursor() bool { return true }

// Changed reads one page of the incremental export: from since.Cursor when there is one,
// else from since.Since (whole seconds, inclusive). The tickets come with their
// requesters and organisations sideloaded, as snapshot events; Next carries the page's
// after_cursor and the newest updated_at read.
func (a *Adapter) Changed(ctx context.Context, since helpdesk.Watermark) (helpdesk.ChangedPage, error) {
	q := url.Values{"include": {"users,organizations"}, "per_page": {strconv.Itoa(ExportPageSize)}}
	if since.Cursor != "" {
		q.Set("cursor", since.Cursor)
	} else {
		// Zendesk refuses a start_time less than a minute old; that minute is left out anyway.
		start := min(since.Since.Unix(), a.clock().Add(-time.Minute).Unix())
		q.Set("start_time", strconv.FormatInt(max(start, 0), 10))
	}
	var resp struct {
		Tickets       []ticketJSON `json:"tickets"`
		Users         []userJSON   `json:"users"`
		Organizations []orgJSON    `json:"organizations"`
		AfterCursor   *string      `json:"after_cursor"`
		EndOfStream   bool         `json:"end_of_stream"`
	}
	c := call{What: "read the incremental ticket export", Method: "GET", Path: "/incremental/tickets/cursor.json?" + q.Encode()}
	if err := a.api.Do(ctx, c, &resp); err != nil {
		return helpdesk.ChangedPage{}, err
	}
	field, err := a.timeFieldID(ctx)
	if err != nil && !errors.Is(err, errNoTimeField) {
		return helpdesk.ChangedPage{}, err
	}
	out := helpdesk.ChangedPage{Next: since, More: !resp.EndOfStream}
	for _, j := range resp.Tickets {
		if st := statusName(j.Status.Trim()); st == "deleted" || st == "scrubbed" || st == "archived" {
			continue // gone from the API: nothing to enforce
		}
		ev, err := a.eventOf(j, resp.Users, resp.Organizations, field)
		if err != nil {
			return helpdesk.ChangedPage{}, a.api.Errorf(c, "ticket %s: %v", j.ID.Trim(), err)
		}
		out.Tickets = append(out.Tickets, ev)
		if ev.Ticket.UpdatedAt.After(out.Next.Since) {
			out.Next.Since = ev.Ticket.UpdatedAt
		}
	}
	if resp.AfterCursor != nil && *resp.AfterCursor != "" {
		out.Next.Cursor = *resp.AfterCursor
	}
	if out.More && out.Next.Cursor == since.Cursor && since.Cursor != "" {
		return helpdesk.ChangedPage{}, a.api.Errorf(c, "the export did not move on from cursor %q", since.Cursor)
	}
	return out, nil
}

// Timeline rebuilds a ticket's events from its audits (GET /api/v2/tickets/{id}/audits.json:
// every change of status and priority, with its author and instant) and its comments
// (GET /api/v2/tickets/{id}/comments.json with their authors, whose role tells agent from
// customer).
func (a *Adapter) Timeline(ctx context.Context, current helpdesk.Event) ([]helpdesk.Event, error) {
	id := current.Ticket.ID
	if !validID(id) {
		return nil, fmt.Errorf("zendesk: ticket id %q is not a Zendesk ticket id: %w", id, helpdesk.ErrNotFound)
	}
	list, err := a.audits(ctx, id)
	if err != nil {
		return nil, err
	}
	var changes []helpdesk.Change
	for _, au := range list {
		at, err := parseTime("audit created_at", au.CreatedAt.Trim())
		if err != nil {
			return nil, fmt.Errorf("zendesk: ticket %s: audit %s: %v", id, au.ID.Trim(), err)
		}
		for _, e := range au.Events {
			attr := e.FieldName.Trim()
			if e.Type.Trim() != "Change" || (attr != "status" && attr != "priority") {
				continue
			}
			ch := helpdesk.Change{At: at, By: au.AuthorID.Trim(), Attr: helpdesk.ChangePriority,
				From: e.PreviousValue.Trim(), To: e.Value.Trim()}
			if attr == "status" {
				ch.Attr, ch.From, ch.To = helpdesk.ChangeState, statusName(ch.From), statusName(ch.To)
			}
			changes = append(changes, ch)
		}
	}
	var cm struct {
		Comments []commentJSON `json:"comments"`
		Users    []userJSON    `json:"users"`
	}
	c := call{Ticket: id, What: "read comments", Method: "GET", Path: "/tickets/" + id + "/comments.json?sort_order=asc&include=users"}
	if err := a.api.Do(ctx, c, &cm); err != nil {
		return nil, err
	}
	var articles []*helpdesk.Article
	for _, j := range cm.Comments {
		art, err := articleOf(j, cm.Users, current.Ticket.Channel)
		if err != nil {
			return nil, a.api.Errorf(c, "%v", err)
		}
		if art != nil {
			articles = append(articles, art)
		}
	}
	return helpdesk.Rebuild(current, changes, articles, a.set), nil
}

// set gives a rebuilt snapshot Zendesk's status and priority by name.
func (a *Adapter) set(t *helpdesk.Ticket, status, prio string) {
	a.setStatus(t, status)
	t.PriorityName, t.Priority = prio, priority(prio)
}

// Interface checks: the adapter does the catch-up sync and keeps its cursor.
var (
	_ helpdesk.Catchup      = (*Adapter)(nil)
	_ helpdesk.CursorKeeper = (*Adapter)(nil)
)
