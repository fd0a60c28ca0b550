package ticketstore

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
)

// storedEvent is an event as the ticket log keeps it: short keys, no zero values, times
// as Unix milliseconds (nanoseconds in events stored before; both read), the creation
// time and an article's time as -1 when they are the snapshot's, and nothing the key already says (helpdesk,
// ticket id). An open ticket's whole record must fit the memory budget of 1.5 KB.
type storedEvent struct {
	Number    string           `json:"n,omitempty"`
	Title     string           `json:"t,omitempty"`
	State     string           `json:"s,omitempty"`
	Paused    bool             `json:"pa,omitempty"`
	Closed    bool             `json:"cl,omitempty"`
	Priority  sla.Priority     `json:"p,omitempty"`
	PrioName  string           `json:"pn,omitempty"`
	Tags      []string         `json:"tg,omitempty"`
	OrgID     string           `json:"oi,omitempty"`
	OrgName   string           `json:"on,omitempty"`
	Email     string           `json:"e,omitempty"`
	Channel   helpdesk.Channel `json:"ch,omitempty"`
	Created   int64            `json:"c,omitempty"`
	Updated   int64            `json:"u,omitempty"`
	UpdatedBy string           `json:"ub,omitempty"`
	FirstResp int64            `json:"fr,omitempty"`
	ClosedAt  int64            `json:"ca,omitempty"`
	TimeIDs   []string         `json:"ta,omitempty"`
	Article   *storedArticle   `json:"a,omitempty"`
	// The delivery that brought the event in, in the shortest form that gives it back:
	// a UUID (Zammad's X-Zammad-Delivery) as its 16 bytes in base64url (du), the id a
	// catch-up derives from the event itself as a flag (dc), anything else as sent (d).
	Delivery     string `json:"d,omitempty"`
	DeliveryUUID string `json:"du,omitempty"`
	CatchUp      bool   `json:"dc,omitempty"`
	// Received is when slaguard accepted the delivery, in ms after the snapshot's
	// updated_at (a few digits; nil when not known).
	Received *int64 `json:"r,omitempty"`
}

type storedArticle struct {
	ID        string           `json:"i,omitempty"`
	Sender    helpdesk.Sender  `json:"s,omitempty"`
	Internal  bool             `json:"in,omitempty"`
	Channel   helpdesk.Channel `json:"ch,omitempty"`
	Subject   string           `json:"su,omitempty"`
	Body      string           `json:"b,omitempty"`
	Created   int64            `json:"c,omitempty"`
	CreatedBy string           `json:"by,omitempty"`
	Minutes   float64          `json:"m,omitempty"`
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromNanos reads a stored time: Unix milliseconds, or nanoseconds as stored before
// (any value beyond year 33658 in ms is one).
func fromNanos(n int64) time.Time {
	switch {
	case n == 0:
		return time.Time{}
	case n > 1e15:
		return time.Unix(0, n).UTC()
	}
	return time.UnixMilli(n).UTC()
}

func nanosPtr(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return nanos(*t)
}

func ptrFromNanos(n int64) *time.Time {
	if n == 0 {
		return nil
	}
	t := fromNanos(n)
	return &t
}

func store(ev helpdesk.Event) storedEvent {
	tk := ev.Ticket
	s := storedEvent{Number: tk.Number, Title: tk.Title, State: tk.State, Paused: tk.Paused, Closed: tk.Closed,
		Priority: tk.Priority, PrioName: tk.PriorityName, Tags: tk.Tags, OrgID: tk.OrganizationID,
		OrgName: tk.OrganizationName, Email: tk.CustomerEmail, Channel: tk.Channel, Created: nanos(tk.CreatedAt),
		Updated: nanos(tk.UpdatedAt), UpdatedBy: tk.UpdatedBy, FirstResp: nanosPtr(tk.FirstResponseAt),
		ClosedAt: nanosPtr(tk.ClosedAt), TimeIDs: tk.TimeAccountingIDs}
	if s.Created == s.Updated && s.Created != 0 {
		s.Created = -1 // the snapshot's time: a creation
	}
	s.Delivery, s.DeliveryUUID, s.CatchUp = packDelivery(ev)
	if !ev.ReceivedAt.IsZero() {
		r := ev.ReceivedAt.UnixMilli() - s.Updated
		s.Received = &r
	}
	if a := ev.Article; a != nil {
		s.Article = &storedArticle{ID: a.ID, Sender: a.Sender, Internal: a.Internal, Channel: a.Channel,
			Subject: truncate(a.Subject, 200), Body: a.Body, Created: nanos(a.CreatedAt), CreatedBy: a.CreatedBy,
			Minutes: a.AccountedMinutes}
		if s.Article.Created == s.Updated && s.Updated != 0 {
			s.Article.Created = -1 // the snapshot's time
		}
		switch s.Article.Channel {
		case s.Channel:
			s.Article.Channel = "" // the ticket's channel
		case "":
			s.Article.Channel = "-" // none, though the ticket has one
		}
	}
	return s
}

func (s storedEvent) event(helpdeskName, ticketID string) helpdesk.Event {
	ev := helpdesk.Event{Helpdesk: helpdeskName, Ticket: helpdesk.Ticket{
		ID: ticketID, Number: s.Number, Title: s.Title, State: s.State, Paused: s.Paused, Closed: s.Closed,
		Priority: s.Priority, PriorityName: s.PrioName, Tags: s.Tags, OrganizationID: s.OrgID,
		OrganizationName: s.OrgName, CustomerEmail: s.Email, Channel: s.Channel, CreatedAt: fromNanos(s.Created),
		UpdatedAt: fromNanos(s.Updated), UpdatedBy: s.UpdatedBy, FirstResponseAt: ptrFromNanos(s.FirstResp),
		ClosedAt: ptrFromNanos(s.ClosedAt), TimeAccountingIDs: s.TimeIDs,
	}}
	if s.Created == -1 {
		ev.Ticket.CreatedAt = ev.Ticket.UpdatedAt
	}
	if s.Received != nil {
		ev.ReceivedAt = time.UnixMilli(s.Updated + *s.Received).UTC()
	}
	if a := s.Article; a != nil {
		ev.Article = &helpdesk.Article{ID: a.ID, Sender: a.Sender, Internal: a.Internal, Channel: a.Channel,
			Subject: a.Subject, Body: a.Body, CreatedAt: fromNanos(a.Created), CreatedBy: a.CreatedBy,
			AccountedMinutes: a.Minutes}
		if a.Created == -1 {
			ev.Article.CreatedAt = ev.Ticket.UpdatedAt
		}
		switch a.Channel {
		case "":
			ev.Article.Channel = s.Channel
		case "-":
			ev.Article.Channel = ""
		}
	}
	ev.DeliveryID = s.Delivery
	switch {
	case s.DeliveryUUID != "":
		ev.DeliveryID = unpackUUID(s.DeliveryUUID)
	case s.CatchUp:
		ev.DeliveryID = catchUpID(ev)
	}
	return ev
}

// catchUpID is the delivery id the catch-up sync gives the event it recovers.
func catchUpID(ev helpdesk.Event) string {
	art := "-"
	if ev.Article != nil && ev.Article.ID != "" {
		art = ev.Article.ID
	}
	return "catchup:" + strconv.FormatInt(ev.Ticket.UpdatedAt.UnixNano(), 10) + ":" + art
}

// packDelivery stores ev's delivery id in one of its three forms (see storedEvent).
func packDelivery(ev helpdesk.Event) (raw, uuid string, catchUp bool) {
	id := ev.DeliveryID
	switch {
	case id == "":
		return "", "", false
	case ev.Ticket.UpdatedAt.Nanosecond()%int(time.Millisecond) == 0 && id == catchUpID(ev):
		return "", "", true // the log's ms give it back
	}
	if b, ok := uuidBytes(id); ok {
		return "", base64.RawURLEncoding.EncodeToString(b), false
	}
	return id, "", false
}

// uuidBytes reads a UUID in its canonical lower-case form (8-4-4-4-12 hex digits), the
// only form packed, so that unpacking gives the same string back.
func uuidBytes(s string) ([]byte, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if strings.ToLower(h) != h {
		return nil, false
	}
	b, err := hex.DecodeString(h)
	return b, err == nil
}

func unpackUUID(p string) string {
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || len(b) != 16 {
		return p
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
