package zendesk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/internal/flexjson"
)

// bodyExcerpt caps the comment text carried in an event.
const bodyExcerpt = 500

// triggerJSON is the body slaguard's recommended trigger sends (README, "Zendesk"):
// every value is a rendered placeholder, so every value may come quoted.
type triggerJSON struct {
	Event            flexjson.String `json:"event"`
	CurrentUserID    flexjson.String `json:"current_user_id"`
	CurrentUserEmail flexjson.String `json:"current_user_email"`
	Ticket           *struct {
		ID                  flexjson.String `json:"id"`
		Subject             flexjson.String `json:"subject"`
		Title               flexjson.String `json:"title"`
		Status              flexjson.String `json:"status"`
		Priority            flexjson.String `json:"priority"`
		Via                 flexjson.String `json:"via"`
		Tags                flexjson.List   `json:"tags"`
		RequesterEmail      flexjson.String `json:"requester_email"`
		OrganizationID      flexjson.String `json:"organization_id"`
		OrganizationName    flexjson.String `json:"organization_name"`
		CreatedAt           flexjson.String `json:"created_at"`
		UpdatedAt           flexjson.String `json:"updated_at"`
		LatestComment       flexjson.String `json:"latest_comment"`
		LatestCommentPublic flexjson.Bool   `json:"latest_comment_public"`
		TimeSpentTotal      flexjson.Float  `json:"time_spent_total"`
	} `json:"ticket"`
}

// eventJSON is a Zendesk event-subscription body (zen:event-type:ticket.*).
type eventJSON struct {
	Type   flexjson.String `json:"type"`
	ID     flexjson.String `json:"id"`
	Time   flexjson.String `json:"time"`
	Detail *struct {
		ID             flexjson.String `json:"id"`
		Subject        flexjson.String `json:"subject"`
		Status         flexjson.String `json:"status"`
		Priority       flexjson.String `json:"priority"`
		Tags           flexjson.List   `json:"tags"`
		OrganizationID flexjson.String `json:"organization_id"`
		ActorID        flexjson.String `json:"actor_id"`
		CreatedAt      flexjson.String `json:"created_at"`
		UpdatedAt      flexjson.String `json:"updated_at"`
		Via            struct {
			Channel flexjson.String `json:"channel"`
		} `json:"via"`
	} `json:"detail"`
}

// Parse reads a delivery into one event: either the body of slaguard's recommended
// trigger ({"ticket": {...}}) or a Zendesk event-subscription body (type
// "zen:event-type:ticket.*", ticket in "detail"). The event is a hint: the worker reads
// the ticket back (ReadBack) and acts on that, since a trigger's placeholders cannot
// name the comment that is new. The delivery id is derived from signed content only —
// the event id of an event subscription, else the SHA-256 of the body — never from an
// unsigned header, so a replay under a new X-Zendesk-Webhook-Invocation-Id is still the
// same delivery. A body that is neither, or has no ticket id, wraps helpdesk.ErrPayload.
func (a *Adapter) Parse(h http.Header, body []byte) ([]helpdesk.Event, error) {
	var probe struct {
		Type flexjson.String `json:"type"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("zendesk: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	var ev helpdesk.Event
	var err error
	if strings.HasPrefix(probe.Type.Trim(), "zen:event-type:ticket.") {
		ev, err = a.parseEvent(body)
	} else {
		ev, err = a.parseTrigger(body)
	}
	if err != nil {
		return nil, err
	}
	ev.Helpdesk = Name
	if ev.DeliveryID == "" {
		sum := sha256.Sum256(body)
		ev.DeliveryID = "sha256:" + hex.EncodeToString(sum[:])
	}
	return []helpdesk.Event{ev}, nil
}

func (a *Adapter) parseTrigger(body []byte) (helpdesk.Event, error) {
	var p triggerJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	if p.Ticket == nil {
		return helpdesk.Event{}, helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "ticket", Reason: "is required"}})
	}
	if err := checkTicket("ticket", p.Ticket.ID, p.Ticket.CreatedAt, p.Ticket.UpdatedAt); err != nil {
		return helpdesk.Event{}, err
	}
	j := p.Ticket
	title := j.Subject.Trim()
	if title == "" {
		title = j.Title.Trim()
	}
	t := helpdesk.Ticket{
		ID: j.ID.Trim(), Number: j.ID.Trim(), Title: title, PriorityName: j.Priority.Trim(),
		Tags: []string(j.Tags), OrganizationID: j.OrganizationID.Trim(), OrganizationName: j.OrganizationName.Trim(),
		CustomerEmail: j.RequesterEmail.Trim(), Channel: channel(j.Via.Trim()), UpdatedBy: p.CurrentUserID.Trim(),
	}
	a.setStatus(&t, j.Status.Trim())
	t.Priority = priority(t.PriorityName)
	var err error
	if t.CreatedAt, err = parseTime("created_at", j.CreatedAt.Trim()); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: ticket %s: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	if t.UpdatedAt, err = parseTime("updated_at", j.UpdatedAt.Trim()); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: ticket %s: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	if n := int64(j.TimeSpentTotal); n > 0 {
		t.TimeAccountingIDs = []string{totalID(n)}
	}
	ev := helpdesk.Event{Trigger: p.Event.Trim(), Ticket: t}
	if c := j.LatestComment.Trim(); c != "" {
		// Without the API the comment has no id: name it by its text, so the same comment
		// seen again is the same article.
		sum := sha256.Sum256([]byte(c))
		sender := helpdesk.SenderAgent
		if e := p.CurrentUserEmail.Trim(); e != "" && strings.EqualFold(e, t.CustomerEmail) {
			sender = helpdesk.SenderCustomer
		}
		ev.Article = &helpdesk.Article{ID: "c" + hex.EncodeToString(sum[:6]), Sender: sender,
			Internal: !bool(j.LatestCommentPublic), Channel: t.Channel, Body: rest.Excerpt(c, bodyExcerpt),
			CreatedAt: t.UpdatedAt, CreatedBy: t.UpdatedBy}
	}
	return ev, nil
}

func (a *Adapter) parseEvent(body []byte) (helpdesk.Event, error) {
	var p eventJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: decode event: %v: %w", err, helpdesk.ErrPayload)
	}
	if p.Detail == nil {
		return helpdesk.Event{}, helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "detail", Reason: "is required"}})
	}
	if err := checkTicket("detail", p.Detail.ID, p.Detail.CreatedAt, p.Detail.UpdatedAt); err != nil {
		return helpdesk.Event{}, err
	}
	d := p.Detail
	t := helpdesk.Ticket{
		ID: d.ID.Trim(), Number: d.ID.Trim(), Title: d.Subject.Trim(), PriorityName: strings.ToLower(d.Priority.Trim()),
		Tags: []string(d.Tags), OrganizationID: d.OrganizationID.Trim(), Channel: channel(d.Via.Channel.Trim()),
		UpdatedBy: d.ActorID.Trim(),
	}
	a.setStatus(&t, d.Status.Trim())
	t.Priority = priority(t.PriorityName)
	var err error
	if t.CreatedAt, err = parseTime("created_at", d.CreatedAt.Trim()); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: ticket %s: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	if t.UpdatedAt, err = parseTime("updated_at", d.UpdatedAt.Trim()); err != nil {
		return helpdesk.Event{}, fmt.Errorf("zendesk: ticket %s: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	ev := helpdesk.Event{Trigger: p.Type.Trim(), Ticket: t}
	if id := p.ID.Trim(); id != "" {
		ev.DeliveryID = "zen:" + safeID(id)
	}
	return ev, nil
}

// setStatus sets the state and whether it pauses or closes the clocks.
func (a *Adapter) setStatus(t *helpdesk.Ticket, status string) {
	t.State = statusName(status)
	t.Paused = a.paused[t.State]
	t.Closed = a.closed[t.State]
}

// channel maps Zendesk's via channel ("web", "email", "voice", or a trigger's display
// rendering "Web form", "Mail", "Phone call") to slaguard's.
func channel(via string) helpdesk.Channel {
	v := strings.ToLower(strings.TrimSpace(via))
	switch {
	case v == "":
		return ""
	case strings.Contains(v, "mail"):
		return helpdesk.ChannelEmail
	case strings.Contains(v, "web"), v == "api", strings.Contains(v, "form"):
		return helpdesk.ChannelWeb
	case strings.Contains(v, "voice"), strings.Contains(v, "phone"):
		return helpdesk.ChannelPhone
	}
	return helpdesk.ChannelOther
}

func totalID(seconds int64) string { return fmt.Sprintf("total:%d", seconds) }

// validID: Zendesk ticket ids are positive integers; anything else is not a ticket.
func validID(s string) bool { return helpdesk.NumericID(s) }

// checkTicket names every field of a delivery's ticket (at path) no event can be made
// with: an id that is not Zendesk's (a positive whole number), no created_at, a time
// that is not ISO 8601. Without them the hint cannot even name the ticket to read back.
func checkTicket(path string, id, created, updated flexjson.String) error {
	var bad []helpdesk.FieldError
	switch v := id.Trim(); {
	case v == "":
		bad = append(bad, helpdesk.FieldError{Field: path + ".id", Reason: "is required"})
	case !validID(v):
		bad = append(bad, helpdesk.FieldError{Field: path + ".id",
			Reason: fmt.Sprintf("must be a Zendesk ticket id (a positive whole number), not %q", rest.Excerpt(v, 40))})
	}
	for _, f := range []struct {
		name     string
		v        string
		required bool
	}{{"created_at", created.Trim(), true}, {"updated_at", updated.Trim(), false}} {
		t, err := parseTime(f.name, f.v)
		switch {
		case err != nil:
			bad = append(bad, helpdesk.FieldError{Field: path + "." + f.name,
				Reason: fmt.Sprintf("must be an ISO 8601 time, not %q", rest.Excerpt(f.v, 40))})
		case f.required && t.IsZero():
			bad = append(bad, helpdesk.FieldError{Field: path + "." + f.name, Reason: "is required"})
		}
	}
	return helpdesk.Invalid(Name, bad)
}

// safeID is id when it is a plain token, else its hash (it becomes part of a queue key).
func safeID(id string) string {
	ok := len(id) <= 100 && utf8.ValidString(id)
	for _, r := range id {
		if r <= 0x20 || r == 0x7f {
			ok = false
		}
	}
	if ok {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// parseTime reads an ISO 8601 time as UTC: RFC 3339, or minutes only ("2013-12-12T05:35Z",
// how {{ticket.created_at_with_timestamp}} renders). Empty is the zero time.
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, fmt.Errorf("%s %q is out of range", field, v)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not an ISO 8601 time", field, rest.Excerpt(v, 40))
}
