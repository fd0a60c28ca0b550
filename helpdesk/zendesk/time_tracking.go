package zendesk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// errNoTimeField: the account has no "Total time spent (sec)" field (no Time Tracking app).
var errNoTimeField = errors.New("zendesk: no \"" + TimeFieldTitle + "\" ticket field (Time Tracking app not installed)")

// maxAuditPages bounds how far back a ticket's audits are read (100 a page).
const maxAuditPages = 50

type fieldCache struct {
	mu     sync.Mutex
	id     int64
	looked bool
}

// timeFieldID is the id of the Time Tracking app's total field, looked up by its title
// (GET /api/v2/ticket_fields.json) the first time and remembered.
func (a *Adapter) timeFieldID(ctx context.Context) (int64, error) {
	a.timeField.mu.Lock()
	defer a.timeField.mu.Unlock()
	if a.timeField.id != 0 {
		return a.timeField.id, nil
	}
	if a.timeField.looked {
		return 0, errNoTimeField
	}
	var out struct {
		Fields []struct {
			ID    flexjson.String `json:"id"`
			Title flexjson.String `json:"title"`
		} `json:"ticket_fields"`
	}
	c := call{What: "list ticket fields", Method: "GET", Path: "/ticket_fields.json"}
	if err := a.api.Do(ctx, c, &out); err != nil {
		return 0, err
	}
	a.timeField.looked = true
	for _, f := range out.Fields {
		if strings.EqualFold(f.Title.Trim(), TimeFieldTitle) {
			id, err := strconv.ParseInt(f.ID.Trim(), 10, 64)
			if err == nil && id > 0 {
				a.timeField.id = id
				return id, nil
			}
		}
	}
	return 0, errNoTimeField
}

// TimeEntries reads the time booked on a ticket with the Time Tracking app. The app keeps
// a running total in seconds ("Total time spent (sec)"); each change of it between two
// updates is one entry, read from the ticket's audits (GET /api/v2/tickets/{id}/audits.json):
// id "audit:<audit id>", minutes the increase, booked when the audit was made, by its
// author. A decrease (a correction) is an entry of negative minutes, so the entries
// always add up to the total. Without the app there are no entries.
func (a *Adapter) TimeEntries(ctx context.Context, t helpdesk.TicketRef) ([]helpdesk.TimeEntry, error) {
	if t.Helpdesk != "" && t.Helpdesk != Name {
		return nil, errors.New("zendesk: ticket " + t.ID + " belongs to " + t.Helpdesk)
	}
	if !validID(t.ID) {
		return nil, errors.New("zendesk: ticket id " + strconv.Quote(t.ID) + " is not a Zendesk ticket id")
	}
	field, err := a.timeFieldID(ctx)
	if errors.Is(err, errNoTimeField) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fieldName := strconv.FormatInt(field, 10)
	list, err := a.audits(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	var out []helpdesk.TimeEntry
	for _, au := range list {
		for _, e := range au.Events {
			if e.FieldName.Trim() != fieldName || (e.Type.Trim() != "Change" && e.Type.Trim() != "Create") {
				continue
			}
			delta := number(e.Value) - number(e.PreviousValue)
			if delta == 0 {
				continue
			}
			at, err := parseTime("audit created_at", au.CreatedAt.Trim())
			if err != nil {
				return nil, fmt.Errorf("zendesk: ticket %s: audit %s: %v", t.ID, au.ID.Trim(), err)
			}
			out = append(out, helpdesk.TimeEntry{ID: "audit:" + au.ID.Trim(), TicketID: t.ID,
				Minutes: math.Round(delta) / 60, CreatedBy: au.AuthorID.Trim(), CreatedAt: at, UpdatedAt: at})
		}
	}
	return out, nil
}

// auditJSON is one audit of a ticket: who changed what when. Events are "Create" and
// "Change" (field_name status, priority or a custom field's id, value, previous_value),
// "Comment" and others slaguard does not read.
type auditJSON struct {
	ID        flexjson.String `json:"id"`
	AuthorID  flexjson.String `json:"author_id"`
	CreatedAt flexjson.String `json:"created_at"`
	Events    []struct {
		Type          flexjson.String `json:"type"`
		FieldName     flexjson.String `json:"field_name"`
		Value         flexjson.String `json:"value"`
		PreviousValue flexjson.String `json:"previous_value"`
	} `json:"events"`
}

// audits reads a ticket's audits, oldest first (GET /api/v2/tickets/{id}/audits.json,
// following next_page up to maxAuditPages pages).
func (a *Adapter) audits(ctx context.Context, id string) ([]auditJSON, error) {
	var out []auditJSON
	path := "/tickets/" + id + "/audits.json"
	for page := 0; path != "" && page < maxAuditPages; page++ {
		var resp struct {
			Audits   []auditJSON     `json:"audits"`
			NextPage flexjson.String `json:"next_page"`
		}
		c := call{Ticket: id, What: "read audits", Method: "GET", Path: path}
		if err := a.api.Do(ctx, c, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Audits...)
		path = a.relative(resp.NextPage.Trim())
	}
	return out, nil
}

// number is a field value as a number (0 when it is none).
func number(v flexjson.String) float64 {
	f, err := strconv.ParseFloat(v.Trim(), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// relative turns a next-page URL of the API into a path below /api/v2 ("" when none, or
// when it points elsewhere).
func (a *Adapter) relative(next string) string {
	if next == "" {
		return ""
	}
	p, ok := strings.CutPrefix(next, a.base+"/api/v2")
	if !ok {
		return ""
	}
	return p
}
