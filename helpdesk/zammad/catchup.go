package zammad

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/monobunt/slaguard/helpdesk"
)

// The catch-up sync reads what Zammad's database says, following Zammad's own source
// (zammad/zammad: config/routes/ticket.rb; app/controllers/tickets_controller.rb `search`
// and `ticket_history`; app/models/concerns/has_history.rb `history_log`, which stamps a
// history entry with the record's updated_at; app/controllers/ticket_articles_controller.rb
// `index_by_ticket`).

// SearchPageSize is how many tickets one search page asks for: the most Zammad's
// tickets/search hands out (paginate_with max: 200).
const SearchPageSize = 200

// searchBody is POST /api/v1/tickets/search with a condition and no query, so Zammad
// answers from its database (Ticket.search → search_sql) rather than from Elasticsearch,
// whose index can lag behind (zammad#3257).
type searchBody struct {
	Condition map[string]searchCond `json:"condition"`
	SortBy    string                `json:"sort_by"`
	OrderBy   string                `json:"order_by"`
	Page      int                   `json:"page"`
	PerPage   int                   `json:"per_page"`
	Expand    bool                  `json:"expand"`
}

type searchCond struct {
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

// searchTicketJSON is a ticket as tickets/search with expand=true shows it
// (attributes_with_association_names): associations are names, the customer is its login.
type searchTicketJSON struct {
	ticketJSON
}

// Changed reads one page of tickets updated at or after since.Since (Zammad's "after
// (absolute)" is updated_at >= value), oldest first, as snapshot events. since.Cursor is
// the page inside a run of tickets that share one updated_at; the next page starts at the
// newest updated_at seen (its tickets come again: the caller treats what it has seen as
// seen) unless the whole page shares since.Since, then at the following page.
func (a *Adapter) Changed(ctx context.Context, since helpdesk.Watermark) (helpdesk.ChangedPage, error) {
	page := 1
	if since.Cursor != "" {
		n, err := strconv.Atoi(since.Cursor)
		if err != nil || n < 1 {
			return helpdesk.ChangedPage{}, fmt.Errorf("zammad: catch-up cursor %q is not a page number", since.Cursor)
		}
		page = n
	}
	body := searchBody{
		Condition: map[string]searchCond{"ticket.updated_at": {Operator: "after (absolute)",
			Value: since.Since.UTC().Format("2006-01-02T15:04:05.000Z")}},
		SortBy: "updated_at", OrderBy: "asc", Page: page, PerPage: SearchPageSize, Expand: true,
	}
	c := call{What: "search changed tickets", Method: "POST", Path: "/tickets/search", Body: body}
	var raw []json.RawMessage
	if err := a.api.Do(ctx, c, &raw); err != nil {
		return helpdesk.ChangedPage{}, err
	}
	out := helpdesk.ChangedPage{Next: helpdesk.Watermark{Since: since.Since}}
	newest := since.Since
	for _, r := range raw {
		var j searchTicketJSON
		if err := json.Unmarshal(r, &j.ticketJSON); err != nil {
			return helpdesk.ChangedPage{}, a.api.Errorf(c, "decode ticket: %v", err)
		}
		t, err := a.ticket(&j.ticketJSON)
		if err != nil {
			return helpdesk.ChangedPage{}, a.api.Errorf(c, "ticket %s: %v", t.ID, err)
		}
		if t.CustomerEmail == "" && strings.Contains(string(j.Customer.Name), "@") {
			t.CustomerEmail = string(j.Customer.Name) // expand names the customer by login
		}
		if t.OrganizationName == "" && t.OrganizationID == "" {
			t.OrganizationID = string(j.OrganizationID)
		}
		out.Tickets = append(out.Tickets, helpdesk.Event{Helpdesk: Name, Ticket: t})
		if t.UpdatedAt.After(newest) {
			newest = t.UpdatedAt
		}
	}
	if len(raw) < SearchPageSize {
		out.Next = helpdesk.Watermark{Since: newest}
		return out, nil
	}
	out.More = true
	if newest.After(since.Since) {
		out.Next = helpdesk.Watermark{Since: newest}
	} else {
		out.Next = helpdesk.Watermark{Since: since.Since, Cursor: strconv.Itoa(page + 1)}
	}
	return out, nil
}

// historyJSON is one entry of GET /api/v1/ticket_history/{id} (History.list): the type
// ("created", "updated", …), the object ("Ticket", "Ticket::Article"), for an update the
// attribute ("state", "priority", …) with value_from/value_to as names, and created_at,
// which is the changed record's updated_at.
type historyJSON struct {
	Type        flexString `json:"type"`
	Object      flexString `json:"object"`
	Attribute   flexString `json:"attribute"`
	OID         flexString `json:"o_id"`
	ValueFrom   flexString `json:"value_from"`
	ValueTo     flexString `json:"value_to"`
	CreatedAt   flexString `json:"created_at"`
	CreatedByID flexString `json:"created_by_id"`
}

// Timeline rebuilds a ticket's events from GET /api/v1/ticket_history/{id} (changes of
// state and priority) and GET /api/v1/ticket_articles/by_ticket/{id}?expand=true (the
// articles, with sender and type by name). Each event is the ticket as current shows it,
// with the state and priority it had at that instant: one per article (a change within a
// second before it, as when an agent replies and sets pending in one go, is folded into
// it), one per other change, and one at creation when no article came with it. The last
// event carries current's time-accounting ids. Delivery ids are "catchup:" + the instant +
// the article, the same however often the ticket is rebuilt.
func (a *Adapter) Timeline(ctx context.Context, current helpdesk.Event) ([]helpdesk.Event, error) {
	id, err := ticketID(helpdesk.TicketRef{Helpdesk: current.Helpdesk, ID: current.Ticket.ID})
	if err != nil {
		return nil, err
	}
	var hist struct {
		History []historyJSON `json:"history"`
	}
	c := call{Ticket: current.Ticket.ID, What: "read history", Method: "GET", Path: "/ticket_history/" + strconv.Itoa(id)}
	if err := a.api.Do(ctx, c, &hist); err != nil {
		return nil, err
	}
	var arts []articleJSON
	c = call{Ticket: current.Ticket.ID, What: "read articles", Method: "GET",
		Path: "/ticket_articles/by_ticket/" + strconv.Itoa(id) + "?expand=true"}
	if err := a.api.Do(ctx, c, &arts); err != nil {
		return nil, err
	}
	var changes []helpdesk.Change
	for _, h := range hist.History {
		if string(h.Object) != "Ticket" || string(h.Type) != "updated" {
			continue
		}
		attr := string(h.Attribute)
		if attr != "state" && attr != "priority" {
			continue
		}
		at, err := parseTime("created_at", h.CreatedAt)
		if err != nil {
			return nil, a.api.Errorf(c, "history: %v", err)
		}
		changes = append(changes, helpdesk.Change{At: at, By: string(h.CreatedByID), Attr: attr,
			From: string(h.ValueFrom), To: string(h.ValueTo)})
	}
	var articles []*helpdesk.Article
	for i := range arts {
		art, err := parseArticle(&arts[i])
		if err != nil {
			return nil, a.api.Errorf(c, "article: %v", err)
		}
		if art != nil {
			articles = append(articles, art)
		}
	}
	return helpdesk.Rebuild(current, changes, articles, a.set), nil
}

// set gives a rebuilt snapshot Zammad's state and priority by name.
func (a *Adapter) set(t *helpdesk.Ticket, state, prio string) {
	t.State, t.PriorityName = state, prio
	t.Paused = a.paused[strings.ToLower(strings.TrimSpace(state))]
	t.Closed = a.closed[strings.ToLower(strings.TrimSpace(state))]
	if prio != "" {
		t.Priority = a.priority(prio)
	}
}

// Interface check: the adapter does the catch-up sync.
var _ helpdesk.Catchup = (*Adapter)(nil)
