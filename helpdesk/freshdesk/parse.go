package freshdesk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// hookJSON is the body of slaguard's recommended automation rule (README, "Freshdesk"),
// in the {"freshdesk_webhook": {...}} wrapper Freshdesk's simple mode uses; every value
// is a rendered placeholder.
type hookJSON struct {
	Hook *struct {
		TicketID       flexjson.String `json:"ticket_id"`
		Subject        flexjson.String `json:"ticket_subject"`
		Status         flexjson.String `json:"ticket_status"`
		Priority       flexjson.String `json:"ticket_priority"`
		Tags           flexjson.List   `json:"ticket_tags"`
		RequesterEmail flexjson.String `json:"requester_email"`
		Company        flexjson.String `json:"ticket_company_name"`
		Event          flexjson.String `json:"triggered_event"`
	} `json:"freshdesk_webhook"`
}

// Parse reads a delivery into one hint event: the ticket id and what the body claims of
// the ticket. The worker never acts on the claims — it reads the ticket back (ReadBack)
// — but a dry run without API access shows them. Freshdesk sends no delivery id, so the
// id is the SHA-256 of the body: the same rendering delivered again (a retry, a replay) is
// the same delivery within the second it arrived in (a replay, a burst of retries);
// Freshdesk's own retries come minutes later and are read back again, which is harmless:
// the same ticket state makes the same snapshot. A body without a numeric ticket_id
// wraps helpdesk.ErrPayload.
func (a *Adapter) Parse(h http.Header, body []byte) ([]helpdesk.Event, error) {
	var p hookJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("freshdesk: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	if p.Hook == nil {
		return nil, helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "freshdesk_webhook", Reason: "is required"}})
	}
	switch id := p.Hook.TicketID.Trim(); {
	case id == "":
		return nil, helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "freshdesk_webhook.ticket_id", Reason: "is required"}})
	case !validID(id):
		return nil, helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "freshdesk_webhook.ticket_id",
			Reason: fmt.Sprintf("must be a Freshdesk ticket id (a positive whole number), not %q", rest.Excerpt(id, 40))}})
	}
	j := p.Hook
	status := strings.ToLower(j.Status.Trim())
	code := statusCodes[status]
	t := helpdesk.Ticket{ID: j.TicketID.Trim(), Number: j.TicketID.Trim(), Title: j.Subject.Trim(), State: status,
		Paused: a.paused[code], Closed: a.closed[code], PriorityName: j.Priority.Trim(), Tags: []string(j.Tags),
		CustomerEmail: j.RequesterEmail.Trim(), OrganizationName: j.Company.Trim()}
	t.Priority = priority(0, t.PriorityName)
	sum := sha256.Sum256(body)
	id := "sha256:" + hex.EncodeToString(sum[:]) + "@" + strconv.FormatInt(a.clock().Unix(), 10)
	return []helpdesk.Event{{Helpdesk: Name, DeliveryID: id,
		Trigger: rest.Excerpt(j.Event.Trim(), 100), Ticket: t}}, nil
}

// validID: Freshdesk ticket ids are positive integers.
func validID(s string) bool { return helpdesk.NumericID(s) }
