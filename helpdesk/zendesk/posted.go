package zendesk

import (
	"context"
	"fmt"

	"github.com/monobunt/slaguard/helpdesk"
)

// Posted reads the bodies of every comment of ticket t (GET
// /api/v2/tickets/{id}/comments.json): slaguard's notes and replies are comments. It
// prefers plain_body (the comment as plain text) and falls back to body.
func (a *Adapter) Posted(ctx context.Context, t helpdesk.TicketRef) ([]string, error) {
	if !validID(t.ID) {
		return nil, fmt.Errorf("zendesk: ticket id %q is not a Zendesk ticket id", t.ID)
	}
	var cm struct {
		Comments []commentJSON `json:"comments"`
	}
	// The first page of the newest comments (100) holds what a worker that just died wrote.
	c := call{Ticket: t.ID, What: "read comments", Method: "GET", Path: "/tickets/" + t.ID + "/comments.json?sort_order=desc"}
	if err := a.api.Do(ctx, c, &cm); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(cm.Comments))
	for _, x := range cm.Comments {
		if x.PlainBody != "" {
			out = append(out, string(x.PlainBody))
		} else {
			out = append(out, string(x.Body))
		}
	}
	return out, nil
}

var _ helpdesk.PostedReader = (*Adapter)(nil)
