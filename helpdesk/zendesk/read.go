package zendesk

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// ticketJSON is a ticket as the REST API shows it.
type ticketJSON struct {
	ID             flexjson.String `json:"id"`
	Subject        flexjson.String `json:"subject"`
	Status         flexjson.String `json:"status"`
	Priority       flexjson.String `json:"priority"`
	Tags           flexjson.List   `json:"tags"`
	RequesterID    flexjson.String `json:"requester_id"`
	OrganizationID flexjson.String `json:"organization_id"`
	CreatedAt      flexjson.String `json:"created_at"`
	UpdatedAt      flexjson.String `json:"updated_at"`
	Via            struct {
		Channel flexjson.String `json:"channel"`
	} `json:"via"`
	CustomFields []struct {
		ID    flexjson.String `json:"id"`
		Value flexjson.Float  `json:"value"`
	} `json:"custom_fields"`
}

type userJSON struct {
	ID    flexjson.String `json:"id"`
	Email flexjson.String `json:"email"`
	Role  flexjson.String `json:"role"`
}

type orgJSON struct {
	ID   flexjson.String `json:"id"`
	Name flexjson.String `json:"name"`
}

type commentJSON struct {
	ID        flexjson.String `json:"id"`
	AuthorID  flexjson.String `json:"author_id"`
	Public    *bool           `json:"public"`
	Body      flexjson.String `json:"body"`
	PlainBody flexjson.String `json:"plain_body"` // the comment as plain text (Posted)
	CreatedAt flexjson.String `json:"created_at"`
	Via       struct {
		Channel flexjson.String `json:"channel"`
	} `json:"via"`
}

// ReadBack reads the hinted ticket (GET /api/v2/tickets/{id}.json with its requester and
// organisation sideloaded) and its newest comment (GET /api/v2/tickets/{id}/comments.json,
// newest first, authors sideloaded) and returns the event slaguard acts on: the ticket as
// Zendesk has it now, with that comment as the article. The hint gives only the ticket
// id and, when the API still shows the hinted update, who made it. Without API access
// the hint is returned as it is.
func (a *Adapter) ReadBack(ctx context.Context, hint helpdesk.Event) (helpdesk.Event, error) {
	if a.base == "" {
		return hint, nil
	}
	ev, err := a.readTicket(ctx, hint.Ticket.ID)
	if err != nil {
		return helpdesk.Event{}, err
	}
	ev.DeliveryID, ev.Trigger, ev.ReceivedAt = hint.DeliveryID, hint.Trigger, hint.ReceivedAt
	if hint.Ticket.UpdatedBy != "" && hint.Ticket.UpdatedAt.Equal(ev.Ticket.UpdatedAt) {
		ev.Ticket.UpdatedBy = hint.Ticket.UpdatedBy
	}
	return ev, nil
}

func (a *Adapter) readTicket(ctx context.Context, id string) (helpdesk.Event, error) {
	if !validID(id) {
		return helpdesk.Event{}, fmt.Errorf("zendesk: ticket id %q is not a Zendesk ticket id: %w", id, helpdesk.ErrNotFound)
	}
	var tk struct {
		Ticket        *ticketJSON `json:"ticket"`
		Users         []userJSON  `json:"users"`
		Organizations []orgJSON   `json:"organizations"`
	}
	c := call{Ticket: id, What: "read ticket", Method: "GET", Path: "/tickets/" + id + ".json?include=users,organizations"}
	if err := a.api.Do(ctx, c, &tk); err != nil {
		return helpdesk.Event{}, err
	}
	if tk.Ticket == nil {
		return helpdesk.Event{}, a.api.Errorf(c, "answer has no ticket")
	}
	field, err := a.timeFieldID(ctx)
	if err != nil && !errors.Is(err, errNoTimeField) {
		return helpdesk.Event{}, err
	}
	ev, err := a.eventOf(*tk.Ticket, tk.Users, tk.Organizations, field)
	if err != nil {
		return helpdesk.Event{}, a.api.Errorf(c, "%v", err)
	}
	var cm struct {
		Comments []commentJSON `json:"comments"`
		Users    []userJSON    `json:"users"`
	}
	c = call{Ticket: id, What: "read comments", Method: "GET", Path: "/tickets/" + id + "/comments.json?sort_order=desc&include=users"}
	if err := a.api.Do(ctx, c, &cm); err != nil {
		return helpdesk.Event{}, err
	}
	if len(cm.Comments) > 0 {
		art, err := articleOf(cm.Comments[0], append(cm.Users, tk.Users...), ev.Ticket.Channel)
		if err != nil {
			return helpdesk.Event{}, a.api.Errorf(c, "%v", err)
		}
		ev.Article = art
	}
	return ev, nil
}

// eventOf is a REST ticket as a snapshot event (no article, no delivery id).
func (a *Adapter) eventOf(j ticketJSON, users []userJSON, orgs []orgJSON, timeField int64) (helpdesk.Event, error) {
	t := helpdesk.Ticket{
		ID: j.ID.Trim(), Number: j.ID.Trim(), Title: j.Subject.Trim(), PriorityName: j.Priority.Trim(),
		Tags: []string(j.Tags), OrganizationID: j.OrganizationID.Trim(), Channel: channel(j.Via.Channel.Trim()),
	}
	a.setStatus(&t, j.Status.Trim())
	t.Priority = priority(t.PriorityName)
	for _, u := range users {
		if u.ID.Trim() == j.RequesterID.Trim() && u.ID != "" {
			t.CustomerEmail = u.Email.Trim()
		}
	}
	for _, o := range orgs {
		if o.ID.Trim() == t.OrganizationID && o.ID != "" {
			t.OrganizationName = o.Name.Trim()
		}
	}
	var err error
	if t.CreatedAt, err = parseTime("created_at", j.CreatedAt.Trim()); err != nil {
		return helpdesk.Event{}, err
	}
	if t.UpdatedAt, err = parseTime("updated_at", j.UpdatedAt.Trim()); err != nil {
		return helpdesk.Event{}, err
	}
	if timeField != 0 {
		for _, f := range j.CustomFields {
			if f.ID.Trim() == strconv.FormatInt(timeField, 10) && f.Value > 0 {
				t.TimeAccountingIDs = []string{totalID(int64(f.Value))}
			}
		}
	}
	return helpdesk.Event{Helpdesk: Name, Ticket: t}, nil
}

// articleOf is a comment as an article: an agent's (role agent or admin) or the
// customer's, internal when not public.
func articleOf(c commentJSON, users []userJSON, ticketChannel helpdesk.Channel) (*helpdesk.Article, error) {
	art := &helpdesk.Article{ID: c.ID.Trim(), Sender: helpdesk.SenderSystem, Internal: c.Public != nil && !*c.Public,
		Channel: channel(c.Via.Channel.Trim()), Body: rest.Excerpt(string(c.Body), bodyExcerpt), CreatedBy: c.AuthorID.Trim()}
	if art.ID == "" {
		return nil, nil
	}
	if art.Channel == "" || art.Channel == helpdesk.ChannelOther {
		art.Channel = ticketChannel
	}
	if art.Internal {
		art.Channel = helpdesk.ChannelNote
	}
	for _, u := range users {
		if u.ID.Trim() == art.CreatedBy && u.ID != "" {
			switch strings.ToLower(u.Role.Trim()) {
			case "agent", "admin":
				art.Sender = helpdesk.SenderAgent
			case "end-user":
				art.Sender = helpdesk.SenderCustomer
			}
		}
	}
	var err error
	if art.CreatedAt, err = parseTime("comment created_at", c.CreatedAt.Trim()); err != nil {
		return nil, err
	}
	return art, nil
}

// Me returns the id of the user slaguard's token belongs to (GET /api/v2/users/me.json).
func (a *Adapter) Me(ctx context.Context) (string, error) {
	var u struct {
		User userJSON `json:"user"`
	}
	c := call{What: "read own user", Method: "GET", Path: "/users/me.json"}
	if err := a.api.Do(ctx, c, &u); err != nil {
		return "", err
	}
	if u.User.ID.Trim() == "" || u.User.ID.Trim() == "null" {
		return "", a.api.Errorf(c, "answer has no id (is the token valid?)")
	}
	return u.User.ID.Trim(), nil
}
