package freshdesk

import (
	"context"

	"github.com/monobunt/slaguard/helpdesk"
)

// Posted reads the plain-text bodies (body_text) of every conversation of ticket t (GET
// /api/v2/tickets/{id}/conversations): slaguard's notes and replies are conversations.
func (a *Adapter) Posted(ctx context.Context, t helpdesk.TicketRef) ([]string, error) {
	convs, err := a.conversations(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(convs))
	for _, c := range convs {
		out = append(out, string(c.BodyText))
	}
	return out, nil
}

var _ helpdesk.PostedReader = (*Adapter)(nil)
