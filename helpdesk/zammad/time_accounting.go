package zammad

import (
	"context"
	"strconv"

	"github.com/monobunt/slaguard/helpdesk"
)

type timeAccountingJSON struct {
	ID              flexString `json:"id"`
	TicketID        flexString `json:"ticket_id"`
	TicketArticleID flexString `json:"ticket_article_id"`
	TimeUnit        flexFloat  `json:"time_unit"`
	TypeID          flexString `json:"type_id"`
	CreatedByID     flexString `json:"created_by_id"`
	CreatedAt       flexString `json:"created_at"`
	UpdatedAt       flexString `json:"updated_at"`
}

// TimeEntries reads the ticket's time accounting (GET /api/v1/tickets/{id}/time_accountings).
// Zammad's time unit is taken as minutes, the unit slaguard's Zammad setup books in.
func (a *Adapter) TimeEntries(ctx context.Context, t helpdesk.TicketRef) ([]helpdesk.TimeEntry, error) {
	id, err := ticketID(t)
	if err != nil {
		return nil, err
	}
	c := call{Ticket: t.ID, What: "read time accounting", Method: "GET",
		Path: "/tickets/" + strconv.Itoa(id) + "/time_accountings"}
	var raw []timeAccountingJSON
	if err := a.api.Do(ctx, c, &raw); err != nil {
		return nil, err
	}
	out := make([]helpdesk.TimeEntry, 0, len(raw))
	for _, r := range raw {
		e := helpdesk.TimeEntry{
			ID:        string(r.ID),
			TicketID:  string(r.TicketID),
			ArticleID: string(r.TicketArticleID),
			Minutes:   float64(r.TimeUnit),
			TypeID:    string(r.TypeID),
			CreatedBy: string(r.CreatedByID),
		}
		if e.TicketID == "" {
			e.TicketID = t.ID
		}
		if e.CreatedAt, err = parseTime("created_at", r.CreatedAt); err != nil {
			return nil, a.api.Errorf(c, "entry %s: %v", e.ID, err)
		}
		if e.UpdatedAt, err = parseTime("updated_at", r.UpdatedAt); err != nil {
			return nil, a.api.Errorf(c, "entry %s: %v", e.ID, err)
		}
		out = append(out, e)
	}
	return out, nil
}
