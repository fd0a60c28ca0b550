package freshdesk

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// bodyExcerpt caps the message text carried in an event.
const bodyExcerpt = 500

// maxConversationPages bounds how many pages of 100 conversations are read for the newest.
const maxConversationPages = 10

// ticketJSON is a ticket as the REST API shows it (with requester, company and stats
// included).
type ticketJSON struct {
	ID              flexjson.String `json:"id"`
	Subject         flexjson.String `json:"subject"`
	DescriptionText flexjson.String `json:"description_text"`
	Status          flexjson.Float  `json:"status"`
	Priority        flexjson.Float  `json:"priority"`
	Source          flexjson.Float  `json:"source"`
	Tags            flexjson.List   `json:"tags"`
	RequesterID     flexjson.String `json:"requester_id"`
	CompanyID       flexjson.String `json:"company_id"`
	CreatedAt       flexjson.String `json:"created_at"`
	UpdatedAt       flexjson.String `json:"updated_at"`
	Requester       *struct {
		Email flexjson.String `json:"email"`
	} `json:"requester"`
	Company *struct {
		Name flexjson.String `json:"name"`
	} `json:"company"`
	Stats *struct {
		FirstRespondedAt flexjson.String `json:"first_responded_at"`
		ResolvedAt       flexjson.String `json:"resolved_at"`
		ClosedAt         flexjson.String `json:"closed_at"`
		StatusUpdatedAt  flexjson.String `json:"status_updated_at"`
	} `json:"stats"`
}

type conversationJSON struct {
	ID        flexjson.String `json:"id"`
	BodyText  flexjson.String `json:"body_text"`
	Incoming  flexjson.Bool   `json:"incoming"`
	Private   flexjson.Bool   `json:"private"`
	UserID    flexjson.String `json:"user_id"`
	Source    flexjson.Float  `json:"source"`
	CreatedAt flexjson.String `json:"created_at"`
}

// ReadBack reads the hinted ticket and acts on nothing else of the delivery: the ticket
// (GET /api/v2/tickets/{id}?include=requester,company,stats), its newest conversation
// (GET /api/v2/tickets/{id}/conversations; none yet: the description, as the customer's
// first message) and the ids of its time entries (GET /api/v2/tickets/{id}/time_entries),
// so that a new entry triggers a re-read of the time. A forged hint can at most make
// slaguard read a ticket; one that does not exist is helpdesk.ErrNotFound. Without API
// access the hint is returned as it is.
func (a *Adapter) ReadBack(ctx context.Context, hint helpdesk.Event) (helpdesk.Event, error) {
	if a.base == "" {
		return hint, nil
	}
	tk, ev, err := a.readTicket(ctx, hint.Ticket.ID)
	if err != nil {
		return helpdesk.Event{}, err
	}
	convs, err := a.conversations(ctx, ev.Ticket.ID)
	if err != nil {
		return helpdesk.Event{}, err
	}
	ev.Article = a.description(tk, ev)
	if n := len(convs); n > 0 {
		if ev.Article, err = articleOf(convs[n-1]); err != nil {
			return helpdesk.Event{}, fmt.Errorf("freshdesk: ticket %s: conversation: %v", ev.Ticket.ID, err)
		}
	}
	if err := a.timeIDs(ctx, &ev); err != nil {
		return helpdesk.Event{}, err
	}
	ev.DeliveryID, ev.Trigger, ev.ReceivedAt = hint.DeliveryID, hint.Trigger, hint.ReceivedAt
	return ev, nil
}

// readTicket reads a ticket with its requester, company and stats.
func (a *Adapter) readTicket(ctx context.Context, id string) (ticketJSON, helpdesk.Event, error) {
	if !validID(id) {
		return ticketJSON{}, helpdesk.Event{}, fmt.Errorf("freshdesk: ticket id %q is not a Freshdesk ticket id: %w", id, helpdesk.ErrNotFound)
	}
	var tk ticketJSON
	c := call{Ticket: id, What: "read ticket", Method: "GET", Path: "/tickets/" + id + "?include=requester,company,stats"}
	if err := a.api.Do(ctx, c, &tk); err != nil {
		return ticketJSON{}, helpdesk.Event{}, err
	}
	ev, err := a.eventOf(tk)
	if err != nil {
		return ticketJSON{}, helpdesk.Event{}, a.api.Errorf(c, "%v", err)
	}
	return tk, ev, nil
}

// description is the ticket's description as the customer's first message.
func (a *Adapter) description(tk ticketJSON, ev helpdesk.Event) *helpdesk.Article {
	return &helpdesk.Article{ID: "description", Sender: helpdesk.SenderCustomer, Channel: ev.Ticket.Channel,
		Subject: ev.Ticket.Title, Body: rest.Excerpt(tk.DescriptionText.Trim(), bodyExcerpt), CreatedAt: ev.Ticket.CreatedAt,
		CreatedBy: tk.RequesterID.Trim()}
}

// timeIDs lists the ids of the ticket's time entries on ev, so a new one triggers a
// re-read of the time.
func (a *Adapter) timeIDs(ctx context.Context, ev *helpdesk.Event) error {
	entries, err := a.timeEntries(ctx, ev.Ticket.ID)
	if err != nil && !errors.Is(err, errNoTimeTracking) {
		return err
	}
	ev.Ticket.TimeAccountingIDs = nil
	for _, e := range entries {
		ev.Ticket.TimeAccountingIDs = append(ev.Ticket.TimeAccountingIDs, e.ID.Trim())
	}
	sort.Strings(ev.Ticket.TimeAccountingIDs)
	return nil
}

// conversations reads a ticket's replies and notes, oldest first, 100 a page.
func (a *Adapter) conversations(ctx context.Context, id string) ([]conversationJSON, error) {
	var out []conversationJSON
	for page := 1; page <= maxConversationPages; page++ {
		var list []conversationJSON
		c := call{Ticket: id, What: "read conversations", Method: "GET",
			Path: "/tickets/" + id + "/conversations?per_page=100&page=" + strconv.Itoa(page)}
		if err := a.api.Do(ctx, c, &list); err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < 100 {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Trim() < out[j].CreatedAt.Trim() })
	return out, nil
}

// eventOf is a REST ticket as a snapshot event (no article, no delivery id).
func (a *Adapter) eventOf(j ticketJSON) (helpdesk.Event, error) {
	status, prio := int(j.Status), int(j.Priority)
	t := helpdesk.Ticket{ID: j.ID.Trim(), Number: j.ID.Trim(), Title: j.Subject.Trim(), State: statusName(status),
		Paused: a.paused[status], Closed: a.closed[status], Priority: priority(prio, ""), PriorityName: priorityNames[prio],
		Tags: []string(j.Tags), OrganizationID: j.CompanyID.Trim(), Channel: channel(int(j.Source))}
	if j.Requester != nil {
		t.CustomerEmail = j.Requester.Email.Trim()
	}
	if j.Company != nil {
		t.OrganizationName = j.Company.Name.Trim()
	}
	var err error
	if t.CreatedAt, err = parseTime("created_at", j.CreatedAt.Trim()); err != nil {
		return helpdesk.Event{}, err
	}
	if t.UpdatedAt, err = parseTime("updated_at", j.UpdatedAt.Trim()); err != nil {
		return helpdesk.Event{}, err
	}
	if j.Stats != nil {
		if t.FirstResponseAt, err = parseTimePtr("first_responded_at", j.Stats.FirstRespondedAt.Trim()); err != nil {
			return helpdesk.Event{}, err
		}
		closed := j.Stats.ClosedAt.Trim()
		if closed == "" {
			closed = j.Stats.ResolvedAt.Trim()
		}
		if t.ClosedAt, err = parseTimePtr("closed_at", closed); err != nil {
			return helpdesk.Event{}, err
		}
	}
	return helpdesk.Event{Helpdesk: Name, Ticket: t}, nil
}

// articleOf is a conversation as an article: incoming ones are the customer's, others an
// agent's; private ones are internal notes.
func articleOf(c conversationJSON) (*helpdesk.Article, error) {
	art := &helpdesk.Article{ID: c.ID.Trim(), Sender: helpdesk.SenderAgent, Internal: bool(c.Private),
		Channel: helpdesk.ChannelEmail, Body: rest.Excerpt(c.BodyText.Trim(), bodyExcerpt), CreatedBy: c.UserID.Trim()}
	if bool(c.Incoming) {
		art.Sender = helpdesk.SenderCustomer
	}
	if art.Internal || int(c.Source) == 2 {
		art.Channel, art.Internal = helpdesk.ChannelNote, true
	}
	var err error
	if art.CreatedAt, err = parseTime("created_at", c.CreatedAt.Trim()); err != nil {
		return nil, err
	}
	return art, nil
}

func statusName(code int) string {
	if n, ok := statusNames[code]; ok {
		return n
	}
	return "status " + strconv.Itoa(code)
}

// channel maps Freshdesk's source code: 1 email, 2 portal, 3 phone, 10 outbound email.
func channel(source int) helpdesk.Channel {
	switch source {
	case 1, 10:
		return helpdesk.ChannelEmail
	case 2, 9:
		return helpdesk.ChannelWeb
	case 3:
		return helpdesk.ChannelPhone
	case 0:
		return ""
	}
	return helpdesk.ChannelOther
}

// parseTime reads an RFC 3339 time as UTC; empty is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, rest.Excerpt(v, 40))
	}
	return t.UTC(), nil
}

func parseTimePtr(field, v string) (*time.Time, error) {
	t, err := parseTime(field, v)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}

// Me returns the id of the agent slaguard's API key belongs to (GET /api/v2/agents/me).
func (a *Adapter) Me(ctx context.Context) (string, error) {
	var me struct {
		ID flexjson.String `json:"id"`
	}
	c := call{What: "read own agent", Method: "GET", Path: "/agents/me"}
	if err := a.api.Do(ctx, c, &me); err != nil {
		return "", err
	}
	if me.ID.Trim() == "" {
		return "", a.api.Errorf(c, "answer has no id")
	}
	return me.ID.Trim(), nil
}
