package freshdesk

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// Apply makes w on ticket t, in this order:
//
//  1. priority and tags in one PUT /api/v2/tickets/{id}. Freshdesk's "tags" replaces the
//     ticket's tags, so they are read first (GET /api/v2/tickets/{id}) and the union (less
//     the tags to remove) is written; the step is safe to repeat;
//  2. the internal note as POST /api/v2/tickets/{id}/notes with private true;
//  3. the public reply as POST /api/v2/tickets/{id}/reply (mailed to the requester).
//
// Apply stops at the first failure; steps 2 and 3 are not idempotent.
func (a *Adapter) Apply(ctx context.Context, t helpdesk.TicketRef, w helpdesk.Write) error {
	if t.Helpdesk != "" && t.Helpdesk != Name {
		return fmt.Errorf("freshdesk: ticket %s belongs to %q", t.ID, t.Helpdesk)
	}
	if !validID(t.ID) {
		return fmt.Errorf("freshdesk: ticket id %q is not a Freshdesk ticket id", t.ID)
	}
	upd := map[string]any{}
	what := []string{}
	if w.Priority != "" {
		code, err := priorityCode(w.Priority)
		if err != nil {
			return fmt.Errorf("freshdesk: ticket %s: %w", t.ID, err)
		}
		upd["priority"] = code
		what = append(what, fmt.Sprintf("set priority %d", code))
	}
	add, remove := rest.NonBlank(w.Tags), rest.NonBlank(w.RemoveTags)
	if len(add)+len(remove) > 0 {
		var cur struct {
			Tags flexjson.List `json:"tags"`
		}
		c := call{Ticket: t.ID, What: "read tags", Method: "GET", Path: "/tickets/" + t.ID}
		if err := a.api.Do(ctx, c, &cur); err != nil {
			return err
		}
		merged := slices.DeleteFunc(slices.Clone([]string(cur.Tags)), func(tag string) bool { return slices.Contains(remove, tag) })
		for _, tag := range add {
			if !slices.Contains(merged, tag) {
				merged = append(merged, tag)
			}
		}
		if !slices.Equal(merged, cur.Tags) {
			if merged == nil {
				merged = []string{}
			}
			upd["tags"] = merged
			if len(add) > 0 {
				what = append(what, fmt.Sprintf("add tags %q", add))
			}
			if len(remove) > 0 {
				what = append(what, fmt.Sprintf("remove tags %q", remove))
			}
		}
	}
	if len(upd) > 0 {
		c := call{Ticket: t.ID, What: strings.Join(what, ", "), Method: "PUT", Path: "/tickets/" + t.ID, Body: upd}
		if err := a.api.Do(ctx, c, nil); err != nil {
			return err
		}
	}
	if w.Note != "" {
		c := call{Ticket: t.ID, What: "add note", Method: "POST", Path: "/tickets/" + t.ID + "/notes",
			Body: map[string]any{"body": htmlBody(w.Note), "private": true}}
		if err := a.api.Do(ctx, c, nil); err != nil {
			return err
		}
	}
	if w.Reply != "" {
		c := call{Ticket: t.ID, What: "send reply", Method: "POST", Path: "/tickets/" + t.ID + "/reply",
			Body: map[string]any{"body": htmlBody(w.Reply)}}
		return a.api.Do(ctx, c, nil)
	}
	return nil
}

// htmlBody is plain text as the HTML Freshdesk's note and reply bodies are.
func htmlBody(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}
