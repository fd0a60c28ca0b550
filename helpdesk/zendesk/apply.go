package zendesk

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// maxConflictRetries bounds how often a tag update is re-read and sent again after 409.
const maxConflictRetries = 3

type commentBody struct {
	Body   string `json:"body"`
	Public bool   `json:"public"`
}

type ticketUpdate struct {
	Priority string       `json:"priority,omitempty"`
	Comment  *commentBody `json:"comment,omitempty"`
}

// Apply makes w on ticket t in as few ticket updates as Zendesk allows (it counts 30
// updates per ticket per 10 minutes, and the worker hands it a ticket's pending marks
// merged into one Write):
//
//  1. tags with PUT /api/v2/tickets/{id}/tags, which adds them (a ticket update's "tags"
//     would replace all), as a safe update: the ticket's updated_at is read first and
//     sent as updated_stamp, and a 409 (the ticket changed meanwhile) re-reads and sends
//     again, up to three times; tags to remove likewise with DELETE on the same path;
//  2. priority and the internal note together in one PUT /api/v2/tickets/{id}.json, the
//     note as a comment with public false;
//  3. the public reply as a public comment (it notifies the requester), in the same PUT
//     when there is no note, else in one more.
//
// Apply stops at the first failure. Adding a present tag changes nothing, so step 1 is
// safe to repeat; steps 2 and 3 are not.
func (a *Adapter) Apply(ctx context.Context, t helpdesk.TicketRef, w helpdesk.Write) error {
	if t.Helpdesk != "" && t.Helpdesk != Name {
		return fmt.Errorf("zendesk: ticket %s belongs to %q", t.ID, t.Helpdesk)
	}
	if !validID(t.ID) {
		return fmt.Errorf("zendesk: ticket id %q is not a Zendesk ticket id", t.ID)
	}
	tags := rest.NonBlank(w.Tags)
	if len(tags) > 0 {
		if err := a.safeTags(ctx, t.ID, http.MethodPut, tags); err != nil {
			return err
		}
	}
	if remove := rest.NonBlank(w.RemoveTags); len(remove) > 0 {
		if err := a.safeTags(ctx, t.ID, http.MethodDelete, remove); err != nil {
			return err
		}
	}
	upd := ticketUpdate{}
	if w.Priority != "" {
		name, err := writeName(w.Priority)
		if err != nil {
			return fmt.Errorf("zendesk: ticket %s: %w", t.ID, err)
		}
		upd.Priority = name
	}
	reply := w.Reply
	if w.Note != "" {
		upd.Comment = &commentBody{Body: w.Note, Public: false}
	} else if reply != "" {
		upd.Comment = &commentBody{Body: reply, Public: true}
		reply = ""
	}
	if upd.Priority != "" || upd.Comment != nil {
		if err := a.update(ctx, t.ID, upd); err != nil {
			return err
		}
	}
	if reply != "" {
		return a.update(ctx, t.ID, ticketUpdate{Comment: &commentBody{Body: reply, Public: true}})
	}
	return nil
}

func (a *Adapter) update(ctx context.Context, id string, upd ticketUpdate) error {
	what := "update ticket"
	switch {
	case upd.Priority != "" && upd.Comment != nil:
		what = fmt.Sprintf("set priority %q with comment", upd.Priority)
	case upd.Priority != "":
		what = fmt.Sprintf("set priority %q", upd.Priority)
	case upd.Comment != nil && upd.Comment.Public:
		what = "send reply"
	case upd.Comment != nil:
		what = "add note"
	}
	c := call{Ticket: id, What: what, Method: "PUT", Path: "/tickets/" + id + ".json",
		Body: map[string]any{"ticket": upd}}
	return a.api.Do(ctx, c, nil)
}

// safeTags adds (PUT) or removes (DELETE) tags as a safe update, re-reading the ticket's
// updated_at after a 409.
func (a *Adapter) safeTags(ctx context.Context, id, method string, tags []string) error {
	verb := "add"
	if method == http.MethodDelete {
		verb = "remove"
	}
	for attempt := 0; ; attempt++ {
		var tk struct {
			Ticket struct {
				UpdatedAt string `json:"updated_at"`
			} `json:"ticket"`
		}
		c := call{Ticket: id, What: "read ticket", Method: "GET", Path: "/tickets/" + id + ".json"}
		if err := a.api.Do(ctx, c, &tk); err != nil {
			return err
		}
		c = call{Ticket: id, What: fmt.Sprintf("%s tags %q", verb, tags), Method: method, Path: "/tickets/" + id + "/tags.json",
			Body: map[string]any{"tags": tags, "safe_update": true, "updated_stamp": tk.Ticket.UpdatedAt}}
		err := a.api.Do(ctx, c, nil)
		if !errors.Is(err, errConflict) {
			return err
		}
		if attempt+1 >= maxConflictRetries {
			// The ticket keeps changing: let the queue try again a little later.
			return &helpdesk.RetryableError{Err: err, Status: 409}
		}
	}
}
