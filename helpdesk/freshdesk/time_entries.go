package freshdesk

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// errNoTimeTracking: the plan has no time tracking (Freshdesk answers 403 require_feature).
var errNoTimeTracking = errors.New("freshdesk: time tracking is not part of this plan")

type timeEntryJSON struct {
	ID         flexjson.String `json:"id"`
	TicketID   flexjson.String `json:"ticket_id"`
	TimeSpent  flexjson.String `json:"time_spent"`
	AgentID    flexjson.String `json:"agent_id"`
	Billable   *bool           `json:"billable"`
	ExecutedAt flexjson.String `json:"executed_at"`
	CreatedAt  flexjson.String `json:"created_at"`
	UpdatedAt  flexjson.String `json:"updated_at"`
}

func (a *Adapter) timeEntries(ctx context.Context, id string) ([]timeEntryJSON, error) {
	var list []timeEntryJSON
	c := call{Ticket: id, What: "read time entries", Method: "GET", Path: "/tickets/" + id + "/time_entries"}
	err := a.api.Do(ctx, c, &list)
	if err != nil && strings.Contains(err.Error(), "require_feature") {
		return nil, errNoTimeTracking
	}
	return list, err
}

// TimeEntries reads the ticket's time entries (GET /api/v2/tickets/{id}/time_entries):
// time_spent "hh:mm" as minutes, booked at executed_at (else created_at), by the agent.
// A plan without time tracking has none.
func (a *Adapter) TimeEntries(ctx context.Context, t helpdesk.TicketRef) ([]helpdesk.TimeEntry, error) {
	if t.Helpdesk != "" && t.Helpdesk != Name {
		return nil, errors.New("freshdesk: ticket " + t.ID + " belongs to " + t.Helpdesk)
	}
	if !validID(t.ID) {
		return nil, errors.New("freshdesk: ticket id " + strconv.Quote(t.ID) + " is not a Freshdesk ticket id")
	}
	list, err := a.timeEntries(ctx, t.ID)
	if errors.Is(err, errNoTimeTracking) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]helpdesk.TimeEntry, 0, len(list))
	for _, e := range list {
		te, err := e.entry(t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, te)
	}
	return out, nil
}

// entry is e as a helpdesk.TimeEntry of ticket id: time_spent "hh:mm" as minutes,
// booked at executed_at (else created_at), by the agent.
func (e timeEntryJSON) entry(ticketID string) (helpdesk.TimeEntry, error) {
	te := helpdesk.TimeEntry{ID: e.ID.Trim(), TicketID: ticketID, Minutes: float64(hhmm(e.TimeSpent.Trim())),
		CreatedBy: e.AgentID.Trim()}
	booked := e.ExecutedAt.Trim()
	if booked == "" {
		booked = e.CreatedAt.Trim()
	}
	var err error
	if te.CreatedAt, err = parseTime("executed_at", booked); err != nil {
		return te, errors.New("freshdesk: ticket " + ticketID + ": time entry " + te.ID + ": " + err.Error())
	}
	if te.UpdatedAt, err = parseTime("updated_at", e.UpdatedAt.Trim()); err != nil {
		return te, errors.New("freshdesk: ticket " + ticketID + ": time entry " + te.ID + ": " + err.Error())
	}
	return te, nil
}

// hhmm reads Freshdesk's "hh:mm" as minutes; anything else is 0.
func hhmm(s string) int {
	h, m, ok := strings.Cut(s, ":")
	hours, err1 := strconv.Atoi(h)
	mins, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hours < 0 || mins < 0 || mins > 59 || hours > 100000 {
		return 0
	}
	return hours*60 + mins
}
