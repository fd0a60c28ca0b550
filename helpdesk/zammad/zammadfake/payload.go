package zammadfake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// Payload is one webhook delivery of Zammad's default payload: a ticket snapshot and the
// article that caused it (nil for an attribute-only change, sent as {} like Zammad does).
type Payload struct {
	Ticket  Ticket
	Article *Article
	// Users names users by id for the expanded user objects (customer, owner, created_by,
	// updated_by); unknown ids become a bare user object.
	Users map[int]User
}

// JSON renders p as Zammad does: compact, keys sorted, associations expanded into
// objects, state as a name and priority as an object, null for unset times.
func (p Payload) JSON() []byte {
	body := map[string]any{"ticket": p.ticketMap(), "article": map[string]any{}}
	if p.Article != nil {
		body["article"] = p.articleMap()
	}
	b, err := json.Marshal(body)
	if err != nil { // only maps of plain values: cannot happen
		panic(fmt.Sprintf("zammadfake: encode payload: %v", err))
	}
	return b
}

// Sign returns the X-Hub-Signature value Zammad sends for body: "sha1=" and the hex
// HMAC-SHA1 of the raw body keyed with the webhook's token.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

// Headers returns the headers of a Zammad webhook delivery of body; X-Hub-Signature only
// when secret is set, as Zammad does.
func Headers(body []byte, secret, deliveryID, trigger string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Zammad User Agent")
	h.Set("X-Zammad-Delivery", deliveryID)
	if trigger != "" {
		h.Set("X-Zammad-Trigger", trigger)
	}
	if secret != "" {
		h.Set("X-Hub-Signature", Sign(secret, body))
	}
	return h
}

// NewDeliveryID returns a random UUID like the job ids Zammad sends as X-Zammad-Delivery.
func NewDeliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (p Payload) user(id int) any {
	if id == 0 {
		return nil
	}
	u, ok := p.Users[id]
	if !ok && id == p.Ticket.CustomerID {
		u = User{ID: id, Login: p.Ticket.CustomerEmail, Email: p.Ticket.CustomerEmail}
	}
	if u.Login == "" {
		u.Login = "-"
	}
	if u.Firstname == "" {
		u.Firstname = "-"
	}
	return map[string]any{
		"active": true, "id": id, "login": u.Login, "email": u.Email, "firstname": u.Firstname,
		"lastname": u.Lastname, "image": nil, "note": "", "out_of_office": false, "phone": "",
		"verified": false, "vip": false, "role_ids": []int{}, "roles": []string{},
	}
}

func (p Payload) ticketMap() map[string]any {
	t := p.Ticket.withDefaults()
	prioID := 0
	for _, pr := range DefaultPriorities {
		if pr.Name == t.Priority {
			prioID = pr.ID
		}
	}
	var org any
	if t.OrganizationID != 0 {
		org = map[string]any{"active": true, "id": t.OrganizationID, "name": t.OrganizationName,
			"shared": true, "domain": "", "domain_assignment": false, "note": "", "vip": false}
	}
	articleIDs := t.ArticleIDs
	if articleIDs == nil {
		articleIDs = []int{}
	}
	taIDs := t.TimeAccountingIDs
	if taIDs == nil {
		taIDs = []int{}
	}
	return map[string]any{
		"id": t.ID, "number": t.Number, "title": t.Title,
		"state": t.State, "state_id": orNil(stateIDs[t.State]),
		"priority": map[string]any{"active": true, "default_create": t.Priority == "2 normal",
			"id": orNil(prioID), "name": t.Priority, "note": nil, "ui_color": nil, "ui_icon": nil},
		"priority_id":  orNil(prioID),
		"group":        map[string]any{"active": true, "id": 1, "name": t.Group},
		"group_id":     1,
		"organization": org, "organization_id": orNil(t.OrganizationID),
		"customer": p.user(t.CustomerID), "customer_id": orNil(t.CustomerID),
		"owner": p.user(t.OwnerID), "owner_id": orNil(t.OwnerID),
		"created_by": p.user(t.CreatedByID), "created_by_id": orNil(t.CreatedByID),
		"updated_by": p.user(t.UpdatedByID), "updated_by_id": orNil(t.UpdatedByID),
		"created_at": ts(t.CreatedAt), "updated_at": ts(t.UpdatedAt),
		"create_article_type": t.CreateArticleType, "create_article_type_id": orNil(articleTypeIDs[t.CreateArticleType]),
		"create_article_sender": t.CreateArticleSender, "create_article_sender_id": orNil(senderIDs[t.CreateArticleSender]),
		"article_count": len(articleIDs), "article_ids": articleIDs,
		"first_response_at": tsPtr(t.FirstResponseAt), "first_response_escalation_at": nil,
		"first_response_in_min": nil, "first_response_diff_in_min": nil,
		"close_at": tsPtr(t.CloseAt), "close_escalation_at": nil, "close_in_min": nil, "close_diff_in_min": nil,
		"update_escalation_at": nil, "update_in_min": nil, "update_diff_in_min": nil, "escalation_at": nil,
		"pending_time": tsPtr(t.PendingTime), "last_contact_at": nil, "last_contact_agent_at": nil,
		"last_contact_customer_at": nil, "last_owner_update_at": nil,
		"note": nil, "type": nil, "time_unit": nil, "preferences": map[string]any{},
		"ticket_time_accounting": []any{}, "ticket_time_accounting_ids": taIDs,
	}
}

func (p Payload) articleMap() map[string]any {
	a := *p.Article
	if a.TicketID == 0 {
		a.TicketID = p.Ticket.ID
	}
	if a.ContentType == "" {
		a.ContentType = "text/plain"
	}
	var subject any
	if a.Subject != "" {
		subject = a.Subject
	}
	return map[string]any{
		"id": a.ID, "ticket_id": a.TicketID,
		"sender": a.Sender, "sender_id": orNil(senderIDs[a.Sender]),
		"type": a.Type, "type_id": orNil(articleTypeIDs[a.Type]),
		"internal": a.Internal, "subject": subject, "body": a.Body, "content_type": a.ContentType,
		"from": a.From, "to": a.To, "cc": nil, "reply_to": nil, "in_reply_to": nil, "message_id": nil,
		"origin_by_id": nil, "preferences": map[string]any{}, "attachments": []any{},
		"created_at": ts(a.CreatedAt), "updated_at": ts(a.CreatedAt),
		"created_by": p.user(a.CreatedByID), "created_by_id": orNil(a.CreatedByID),
		"updated_by": p.user(a.CreatedByID), "updated_by_id": orNil(a.CreatedByID),
		"accounted_time": accounted(a.AccountedTime),
	}
}

// accounted is an article's booked time as Zammad sends it: a whole number.
func accounted(v float64) any {
	if v == math.Trunc(v) {
		return int64(v)
	}
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }
