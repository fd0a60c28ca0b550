package zammad

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// routing is the part of a payload the webhook door reads: the ticket's id and the times
// an event cannot do without. The decoder skips everything else without building it.
type routing struct {
	Ticket *struct {
		ID        flexString `json:"id"`
		CreatedAt stamp      `json:"created_at"`
		UpdatedAt stamp      `json:"updated_at"`
	} `json:"ticket"`
	Article *struct {
		ID        flexString `json:"id"`
		CreatedAt stamp      `json:"created_at"`
	} `json:"article"`
}

// stamp is a time the door checks as it is decoded, keeping only the verdict: present,
// readable, and the value itself only when it is not (for the error).
type stamp struct {
	set bool   // present, not null or ""
	bad string // the value, when it is not an RFC 3339 time
}

func (s *stamp) UnmarshalJSON(b []byte) error {
	*s = stamp{}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
		b = bytes.TrimSpace(b[1 : len(b)-1])
		if len(b) == 0 {
			return nil
		}
		if t, err := parseTime("", flexString(b)); err == nil {
			s.set = !t.IsZero()
			return nil
		}
		s.set, s.bad = true, string(b)
		return nil
	}
	var v flexString // escapes, numbers, null: the general reader
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	t, err := parseTime("", v)
	s.set = strings.TrimSpace(string(v)) != ""
	if err != nil {
		s.bad = string(v)
	} else if t.IsZero() {
		s.set = false
	}
	return nil
}

// Route names a delivery without parsing it: its id (X-Zammad-Delivery, else the SHA-256
// of the body, as Parse says) and its ticket. The worker parses the body with Parse.
//
// It refuses, as a *helpdesk.InvalidEvent naming each field, a payload no event can be
// made of: no ticket, a ticket id that is not Zammad's (a positive whole number), no
// created_at, a time that is not RFC 3339, an article with an id but no created_at.
// Queued, such a payload would make a ticket "abc" created in year 1 whose write-backs
// fail until they are archived.
func (a *Adapter) Route(h http.Header, body []byte) (helpdesk.Delivery, error) {
	var r routing
	if err := json.Unmarshal(body, &r); err != nil {
		return helpdesk.Delivery{}, fmt.Errorf("zammad: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	if err := r.check(); err != nil {
		return helpdesk.Delivery{}, err
	}
	d := helpdesk.Delivery{ID: deliveryID(h.Get(HeaderDelivery)), TicketID: strings.TrimSpace(string(r.Ticket.ID)),
		Header: http.Header{}}
	if d.ID == "" {
		sum := sha256.Sum256(body)
		d.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	for _, k := range []string{HeaderDelivery, HeaderTrigger} {
		if v := h.Get(k); v != "" {
			d.Header.Set(k, v)
		}
	}
	return d, nil
}

// check lists every field that keeps r from being a ticket event.
func (r *routing) check() error {
	if r.Ticket == nil {
		return helpdesk.Invalid(Name, []helpdesk.FieldError{{Field: "ticket", Reason: "is required"}})
	}
	var bad []helpdesk.FieldError
	if reason := idReason(string(r.Ticket.ID)); reason != "" {
		bad = append(bad, helpdesk.FieldError{Field: "ticket.id", Reason: reason})
	}
	bad = checkTime(bad, "ticket.created_at", r.Ticket.CreatedAt, true)
	bad = checkTime(bad, "ticket.updated_at", r.Ticket.UpdatedAt, false)
	if art := r.Article; art != nil && strings.TrimSpace(string(art.ID)) != "" {
		if reason := idReason(string(art.ID)); reason != "" {
			bad = append(bad, helpdesk.FieldError{Field: "article.id", Reason: reason})
		}
		bad = checkTime(bad, "article.created_at", art.CreatedAt, true)
	}
	return helpdesk.Invalid(Name, bad)
}

func idReason(id string) string {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return "is required"
	case !helpdesk.NumericID(id):
		return "must be a Zammad id (a positive whole number), not " + quoteExcerpt(id)
	}
	return ""
}

// checkTime appends field to bad when v is not an RFC 3339 time (or, when required, is
// missing: null, "" and year 1 are no time).
func checkTime(bad []helpdesk.FieldError, field string, v stamp, required bool) []helpdesk.FieldError {
	switch {
	case v.bad != "":
		return append(bad, helpdesk.FieldError{Field: field, Reason: "must be an RFC 3339 time, not " + quoteExcerpt(v.bad)})
	case required && !v.set:
		return append(bad, helpdesk.FieldError{Field: field, Reason: "is required"})
	}
	return bad
}

func quoteExcerpt(s string) string { return fmt.Sprintf("%q", rest.Excerpt(strings.TrimSpace(s), 40)) }
