package zammad

import (
	"context"
	"strconv"

	"github.com/monobunt/slaguard/helpdesk"
)

// Posted reads the bodies of every article of ticket t (GET
// /api/v1/ticket_articles/by_ticket/{id}): notes and replies slaguard wrote are articles.
func (a *Adapter) Posted(ctx context.Context, t helpdesk.TicketRef) ([]string, error) {
	id, err := ticketID(t)
	if err != nil {
		return nil, err
	}
	var arts []articleJSON
	c := call{Ticket: t.ID, What: "read articles", Method: "GET", Path: "/ticket_articles/by_ticket/" + strconv.Itoa(id)}
	if err := a.api.Do(ctx, c, &arts); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(arts))
	for _, art := range arts {
		out = append(out, string(art.Body))
	}
	return out, nil
}

var _ helpdesk.PostedReader = (*Adapter)(nil)
