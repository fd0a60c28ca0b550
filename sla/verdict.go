package sla

import (
	"strings"
	"time"
)

// Verdict is what the agency's correction rules make of a new ticket's text (its title
// and first message): decided once, before Evaluate, by a classifier outside sla, and
// handed in as Ticket.Verdict. A nil or zero Verdict means the text decided nothing: the
// priority the policy gives stays (the customer's choice; low for e-mail tickets).
type Verdict struct {
	// Priority the text points to; "" when it points to none (or to a change request).
	Priority Priority `json:"priority,omitempty"`
	// ChangeRequest: a request for new development or changes (billed by the hour or by
	// quote, no resolution deadline, not counted against the quota). The priority stays.
	ChangeRequest bool `json:"change_request,omitempty"`
	// Outage: the evidence describes the site, shop, cart, checkout or payment being
	// down; outside business hours on a 24/7 contract such a ticket is critical.
	Outage bool `json:"outage,omitempty"`
	// Rule names the rules whose evidence decided, strongest first, for the note.
	Rule string `json:"rule,omitempty"`
	// Words are the words of the ticket that decided, strongest first, for the note.
	Words []string `json:"words,omitempty"`
}

// Decided reports whether v says anything: a priority or a change request.
func (v *Verdict) Decided() bool {
	return v != nil && (v.Priority != "" || v.ChangeRequest)
}

// ClassifiedText is what the priority correction reads of t: its title and the body of
// its first message (the earliest one not written by slaguard), plus that message's
// subject when it differs from the title. The classifier reads exactly this, so that
// what was decided before Evaluate is about the text Evaluate would name.
func (t Ticket) ClassifiedText() (subject, body string) {
	subject = t.Title
	var first *Message
	var firstAt time.Time
	for i := range t.Snapshots {
		s := &t.Snapshots[i]
		m := s.Article
		if m == nil || m.BySelf || s.BySelf {
			continue
		}
		at := m.At
		if at.IsZero() {
			at = s.At
		}
		if first == nil || at.Before(firstAt) || (at.Equal(firstAt) && m.ID < first.ID) {
			first, firstAt = m, at
		}
	}
	if first == nil {
		return subject, ""
	}
	if s := strings.TrimSpace(first.Subject); s != "" && !strings.EqualFold(s, strings.TrimSpace(t.Title)) {
		subject = strings.TrimSpace(subject + "\n" + s)
	}
	return subject, first.Body
}
