package freshdesk

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// Apply makes w on ticket t, in this order:
//
//  1. priority and tags in one PUT /api/v2/tickets/{id}. Freshdesk's "tags" replaces the
//     ticket's tags, so they are read first (GET /api/v2/tickets/{id}) and the union is
//     written; adding present tags changes nothing, so the step is safe to repeat;
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
	var add []string
	for _, tag := range w.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			add = append(add, tag)
		}
	}
	if len(add) > 0 {
		var cur struct {
			Tags flexjson.List `json:"tags"`
		}
		c := call{ticket: t.ID, what: "read tags", method: "GET", path: "/tickets/" + t.ID}
		if err := a.do(ctx, c, &cur); err != nil {
			return err
		}
		merged := slices.Clone([]string(cur.Tags))
		for _, tag := range add {
			if !slices.Contains(merged, tag) {
				merged = append(merged, tag)
			}
		}
		if len(merged) != len(cur.Tags) {
			upd["tags"] = merged
			what = append(what, fmt.Sprintf("add tags %q", add))
		}
	}
	if len(upd) > 0 {
		c := call{ticket: t.ID, what: strings.Join(what, ", "), method: "PUT", path: "/tickets/" + t.ID, body: upd}
		if err := a.do(ctx, c, nil); err != nil {
			return err
		}
	}
	if w.Note != "" {
		c := call{ticket: t.ID, what: "add note", method: "POST", path: "/tickets/" + t.ID + "/notes",
			body: map[string]any{"body": htmlBody(w.Note), "private": true}}
		if err := a.do(ctx, c, nil); err != nil {
			return err
		}
	}
	if w.Reply != "" {
		c := call{ticket: t.ID, what: "send reply", method: "POST", path: "/tickets/" + t.ID + "/reply",
			body: map[string]any{"body": htmlBody(w.Reply)}}
		return a.do(ctx, c, nil)
	}
	return nil
}

// htmlBody is plain text as the HTML Freshdesk's note and reply bodies are.
func htmlBody(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}
