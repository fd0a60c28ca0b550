package zammad

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
)

// noteSubject heads every internal note slaguard writes.
const noteSubject = "slaguard"

type articleBody struct {
	TicketID    int    `json:"ticket_id,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Body        string `json:"body"`
	Internal    bool   `json:"internal"`
	Type        string `json:"type"`
	Sender      string `json:"sender,omitempty"`
	To          string `json:"to,omitempty"`
	ContentType string `json:"content_type"`
}

type ticketUpdate struct {
	Priority string       `json:"priority,omitempty"`
	Article  *articleBody `json:"article,omitempty"`
}

type tagBody struct {
	Item   string `json:"item"`
	Object string `json:"object"`
	OID    int    `json:"o_id"`
}

// Apply makes w on ticket t, in this order and with as few requests as Zammad allows:
//
//  1. each tag with POST /api/v1/tags/add (adding a present tag changes nothing, so a
//     retry after a later failure is harmless), each removed tag with DELETE
//     /api/v1/tags/remove (likewise);
//  2. priority and internal note together in one PUT /api/v1/tickets/{id}, which Zammad
//     records as one change; a note alone uses the same PUT with only the article, so
//     both go through one permission check and one error path;
//  3. the public reply as an outgoing e-mail article (POST /api/v1/ticket_articles,
//     type "email", sender Agent, to the ticket's customer): Zammad mails only articles
//     of type email from an agent, and only to the "to" address.
//
// Apply stops at the first failure; steps 2 and 3 are not idempotent in Zammad, so a
// caller that retries should keep one note or reply per Write. Critical without a
// critical priority in the instance writes the high priority plus CriticalTag.
func (a *Adapter) Apply(ctx context.Context, t helpdesk.TicketRef, w helpdesk.Write) error {
	id, err := ticketID(t)
	if err != nil {
		return err
	}
	upd := ticketUpdate{}
	tags := slices.Clone(w.Tags)
	if w.Priority != "" {
		name, tag, err := a.writeName(w.Priority)
		if err != nil {
			return fmt.Errorf("zammad: ticket %s: %w", t.ID, err)
		}
		upd.Priority = name
		if tag && !slices.Contains(tags, CriticalTag) {
			tags = append(tags, CriticalTag)
		}
	}
	for _, tag := range tags {
		tag = strings.TrimSpace(tag)
		if tag == "" {
			continue
		}
		c := call{Ticket: t.ID, What: fmt.Sprintf("add tag %q", tag), Method: "POST", Path: "/tags/add",
			Body: tagBody{Item: tag, Object: "Ticket", OID: id}}
		if err := a.api.Do(ctx, c, nil); err != nil {
			return err
		}
	}
	for _, tag := range w.RemoveTags {
		tag = strings.TrimSpace(tag)
		if tag == "" {
			continue
		}
		c := call{Ticket: t.ID, What: fmt.Sprintf("remove tag %q", tag), Method: "DELETE", Path: "/tags/remove",
			Body: tagBody{Item: tag, Object: "Ticket", OID: id}}
		if err := a.api.Do(ctx, c, nil); err != nil && !errors.Is(err, helpdesk.ErrNotFound) {
			return err
		}
	}
	if w.Note != "" {
		upd.Article = &articleBody{Subject: noteSubject, Body: w.Note, Internal: true, Type: "note",
			ContentType: "text/plain"}
	}
	if upd.Priority != "" || upd.Article != nil {
		what := "update ticket"
		switch {
		case upd.Priority != "" && upd.Article != nil:
			what = fmt.Sprintf("set priority %q with note", upd.Priority)
		case upd.Priority != "":
			what = fmt.Sprintf("set priority %q", upd.Priority)
		default:
			what = "add note"
		}
		c := call{Ticket: t.ID, What: what, Method: "PUT", Path: "/tickets/" + strconv.Itoa(id), Body: upd}
		if err := a.api.Do(ctx, c, nil); err != nil {
			return err
		}
	}
	if w.Reply != "" {
		return a.reply(ctx, t.ID, id, w)
	}
	return nil
}

func (a *Adapter) reply(ctx context.Context, ref string, id int, w helpdesk.Write) error {
	to, err := w.ReplyTo, error(nil)
	if to == "" {
		to, err = a.customerEmail(ctx, ref, id)
	}
	if err != nil {
		return err
	}
	subject := w.ReplySubject
	if subject == "" {
		subject = noteSubject
	}
	c := call{Ticket: ref, What: "send reply", Method: "POST", Path: "/ticket_articles",
		Body: articleBody{TicketID: id, Subject: subject, Body: w.Reply, Internal: false, Type: "email",
			Sender: "Agent", To: to, ContentType: "text/plain"}}
	return a.api.Do(ctx, c, nil)
}

// customerEmail looks up where a reply goes: the ticket's customer, read fresh, since the
// customer may have changed since the event that asked for the reply.
func (a *Adapter) customerEmail(ctx context.Context, ref string, id int) (string, error) {
	var tk struct {
		CustomerID flexString `json:"customer_id"`
	}
	c := call{Ticket: ref, What: "read ticket", Method: "GET", Path: "/tickets/" + strconv.Itoa(id)}
	if err := a.api.Do(ctx, c, &tk); err != nil {
		return "", err
	}
	if tk.CustomerID == "" {
		return "", a.api.Errorf(c, "ticket has no customer")
	}
	var u struct {
		Email flexString `json:"email"`
	}
	c = call{Ticket: ref, What: "read customer " + string(tk.CustomerID), Method: "GET",
		Path: "/users/" + url.PathEscape(string(tk.CustomerID))}
	if err := a.api.Do(ctx, c, &u); err != nil {
		return "", err
	}
	if !strings.Contains(string(u.Email), "@") {
		return "", a.api.Errorf(c, "customer has no e-mail address")
	}
	return string(u.Email), nil
}

// ticketID is Zammad's numeric ticket id; Zammad's REST paths take nothing else.
func ticketID(t helpdesk.TicketRef) (int, error) {
	if t.Helpdesk != "" && t.Helpdesk != Name {
		return 0, fmt.Errorf("zammad: ticket %s belongs to %q", t.ID, t.Helpdesk)
	}
	id, err := strconv.Atoi(strings.TrimSpace(t.ID))
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("zammad: ticket id %q is not a Zammad ticket id", t.ID)
	}
	return id, nil
}
