package zammad

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	// goccy/go-json decodes Zammad's large payloads ~6× faster than encoding/json
	// (the webhook's hot path), with the same API and semantics.
	json "github.com/goccy/go-json"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/sla"
)

// bodyExcerpt caps the article text carried in an event: slaguard needs none of it for
// the SLA, and the ticket log should not become a copy of the customers' mail.
const bodyExcerpt = 500

type payload struct {
	Ticket *ticketJSON `json:"ticket"`
	// Article is decoded in place (not kept raw and decoded again): null leaves it nil,
	// {} gives an article without id.
	Article *articleJSON `json:"article"`
}

type ticketJSON struct {
	ID                flexString `json:"id"`
	Number            flexString `json:"number"`
	Title             flexString `json:"title"`
	State             ref        `json:"state"`
	Priority          ref        `json:"priority"`
	Organization      ref        `json:"organization"`
	OrganizationID    flexString `json:"organization_id"`
	Customer          ref        `json:"customer"`
	CreateArticleType ref        `json:"create_article_type"`
	CreatedAt         flexString `json:"created_at"`
	UpdatedAt         flexString `json:"updated_at"`
	UpdatedByID       flexString `json:"updated_by_id"`
	FirstResponseAt   flexString `json:"first_response_at"`
	CloseAt           flexString `json:"close_at"`
	TimeAccountingIDs flexList   `json:"ticket_time_accounting_ids"`
	Tags              flexList   `json:"tags"`
}

type articleJSON struct {
	ID            flexString `json:"id"`
	Sender        ref        `json:"sender"`
	Type          ref        `json:"type"`
	Internal      flexBool   `json:"internal"`
	Subject       flexString `json:"subject"`
	Body          flexString `json:"body"`
	CreatedAt     flexString `json:"created_at"`
	CreatedByID   flexString `json:"created_by_id"`
	AccountedTime flexFloat  `json:"accounted_time"`
}

// Parse reads Zammad's default webhook payload, {"ticket": {...}, "article": {...}}, into
// one event. The article may be absent, null or {} (an attribute-only change). The
// delivery id is X-Zammad-Delivery, else the SHA-256 of the body; the trigger is
// X-Zammad-Trigger. A body that is not such a payload, or a ticket without an id, gives
// an error wrapping helpdesk.ErrPayload. ReceivedAt is left for the caller to set.
func (a *Adapter) Parse(h http.Header, body []byte) ([]helpdesk.Event, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("zammad: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	if p.Ticket == nil || strings.TrimSpace(string(p.Ticket.ID)) == "" {
		return nil, fmt.Errorf("zammad: payload has no ticket id: %w", helpdesk.ErrPayload)
	}
	t, err := a.ticket(p.Ticket)
	if err != nil {
		return nil, fmt.Errorf("zammad: ticket %s: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	art, err := parseArticle(p.Article)
	if err != nil {
		return nil, fmt.Errorf("zammad: ticket %s: article: %v: %w", t.ID, err, helpdesk.ErrPayload)
	}
	ev := helpdesk.Event{
		Helpdesk:   Name,
		DeliveryID: deliveryID(h.Get(HeaderDelivery)),
		Trigger:    strings.TrimSpace(h.Get(HeaderTrigger)),
		Ticket:     t,
		Article:    art,
	}
	if ev.DeliveryID == "" {
		sum := sha256.Sum256(body)
		ev.DeliveryID = "sha256:" + hex.EncodeToString(sum[:])
	}
	return []helpdesk.Event{ev}, nil
}

// deliveryID is the header as sent when it is a plain token, as Zammad's UUIDs are, and
// otherwise a hash of it: still the same on every retry, but safe as a queue key (asynq
// refuses ids that are not valid UTF-8).
func deliveryID(header string) string {
	id := strings.TrimSpace(header)
	if id == "" {
		return ""
	}
	clean := len(id) <= 200 && utf8.ValidString(id)
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			clean = false
		}
	}
	if clean {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (a *Adapter) ticket(j *ticketJSON) (helpdesk.Ticket, error) {
	state := strings.TrimSpace(string(j.State.Name))
	t := helpdesk.Ticket{
		ID:                strings.TrimSpace(string(j.ID)),
		Number:            string(j.Number),
		Title:             string(j.Title),
		State:             state,
		Paused:            a.paused[strings.ToLower(state)],
		Closed:            a.closed[strings.ToLower(state)],
		PriorityName:      string(j.Priority.Name),
		Tags:              []string(j.Tags),
		OrganizationID:    string(j.Organization.ID),
		OrganizationName:  string(j.Organization.Name),
		CustomerEmail:     string(j.Customer.Email),
		Channel:           channel(string(j.CreateArticleType.Name)),
		UpdatedBy:         string(j.UpdatedByID),
		TimeAccountingIDs: []string(j.TimeAccountingIDs),
	}
	if t.OrganizationID == "" {
		t.OrganizationID = string(j.OrganizationID)
	}
	if t.CustomerEmail == "" && strings.Contains(string(j.Customer.Login), "@") {
		t.CustomerEmail = string(j.Customer.Login)
	}
	if string(j.CreateArticleType.Name) == "" {
		t.Channel = ""
	}
	t.Priority = a.priority(t.PriorityName)
	if t.PriorityName == "" {
		t.Priority = sla.Medium
	}
	var err error
	if t.CreatedAt, err = parseTime("created_at", j.CreatedAt); err != nil {
		return t, err
	}
	if t.UpdatedAt, err = parseTime("updated_at", j.UpdatedAt); err != nil {
		return t, err
	}
	if t.FirstResponseAt, err = parseTimePtr("first_response_at", j.FirstResponseAt); err != nil {
		return t, err
	}
	if t.ClosedAt, err = parseTimePtr("close_at", j.CloseAt); err != nil {
		return t, err
	}
	return t, nil
}

func parseArticle(j *articleJSON) (*helpdesk.Article, error) {
	if j == nil || strings.TrimSpace(string(j.ID)) == "" {
		return nil, nil // {}: the trigger fired without an article
	}
	art := &helpdesk.Article{
		ID:               strings.TrimSpace(string(j.ID)),
		Sender:           sender(string(j.Sender.Name)),
		Internal:         bool(j.Internal),
		Channel:          channel(string(j.Type.Name)),
		Subject:          string(j.Subject),
		Body:             rest.Excerpt(string(j.Body), bodyExcerpt),
		CreatedBy:        string(j.CreatedByID),
		AccountedMinutes: float64(j.AccountedTime),
	}
	var err error
	if art.CreatedAt, err = parseTime("created_at", j.CreatedAt); err != nil {
		return nil, err
	}
	return art, nil
}

func sender(name string) helpdesk.Sender {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "agent":
		return helpdesk.SenderAgent
	case "customer":
		return helpdesk.SenderCustomer
	}
	// Unknown senders are treated as the system: they never stop a first-response clock.
	return helpdesk.SenderSystem
}

func channel(articleType string) helpdesk.Channel {
	switch strings.ToLower(strings.TrimSpace(articleType)) {
	case "email":
		return helpdesk.ChannelEmail
	case "web":
		return helpdesk.ChannelWeb
	case "phone":
		return helpdesk.ChannelPhone
	case "note":
		return helpdesk.ChannelNote
	}
	return helpdesk.ChannelOther
}

// parseTime reads an RFC 3339 time as UTC; empty is the zero time.
func parseTime(field string, s flexString) (time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, rest.Excerpt(v, 40))
	}
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("%s %q is out of range", field, v)
	}
	return t, nil
}

func parseTimePtr(field string, s flexString) (*time.Time, error) {
	t, err := parseTime(field, s)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}
