package sla

import "time"

// Channels of Message.Channel and Ticket.Channel. Anything else counts as ChannelOther.
const (
	ChannelWeb   = "web"
	ChannelEmail = "email"
	ChannelPhone = "phone"
	ChannelNote  = "note"
	ChannelOther = "other"
)

// Snapshot is one delivery of a helpdesk, as the policy needs it: what the ticket looked
// like at At, and the message that caused the delivery, if any. Helpdesks send full
// snapshots without saying what changed; Evaluate derives the history from their order.
type Snapshot struct {
	// At is the ticket's updated_at in this snapshot.
	At time.Time `json:"at"`
	// State is the helpdesk's state name, for display only; Paused (waiting on the
	// customer) and Closed (solved or closed) are what the clocks use. Closed wins when
	// both are set.
	State  string `json:"state,omitempty"`
	Paused bool   `json:"paused,omitempty"`
	Closed bool   `json:"closed,omitempty"`
	// Priority is the ticket's priority in this snapshot.
	Priority Priority `json:"priority"`
	// BySelf says the change was made by slaguard's own helpdesk user: its own write
	// coming back. Such a snapshot changes no clock and is never a human's decision.
	BySelf bool `json:"by_self,omitempty"`
	// Article is the message that caused this delivery, if any.
	Article *Message `json:"article,omitempty"`
}

// Message is an article of a ticket: a reply, an incoming message or a note.
type Message struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// FromAgent: written by an agent (not the customer, not the system).
	FromAgent bool `json:"from_agent,omitempty"`
	// Public: the customer can see it. Internal notes are not public.
	Public bool `json:"public,omitempty"`
	// BySelf: written by slaguard (a confirmation or note of ours).
	BySelf  bool   `json:"by_self,omitempty"`
	Channel string `json:"channel,omitempty"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
}

// firstResponse reports whether m meets the first-response clock: a public reply of a
// human agent. Internal notes, system messages and slaguard's own articles (such as the
// confirmation) never do.
func (m *Message) firstResponse() bool {
	return m != nil && m.FromAgent && m.Public && !m.BySelf && m.Channel != ChannelNote
}

// Ticket is everything Evaluate knows about one ticket.
type Ticket struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Title  string `json:"title"`
	// Channel is how the ticket was created; e-mail tickets start at low.
	Channel   string    `json:"channel,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Snapshots may come in any order and contain duplicates; Evaluate sorts and
	// deduplicates them the same way every time.
	Snapshots []Snapshot `json:"snapshots"`
	// QuotaPosition is the 1-based position of this ticket among its contract's tickets
	// of its creation month (Europe/Vienna) that count against the quota, in order of
	// creation; 0 means unknown (never over quota). Change requests do not count.
	QuotaPosition int `json:"quota_position,omitempty"`
	// Verdict is what the agency's correction rules make of the ticket's text
	// (ClassifiedText), decided before Evaluate; nil when nothing was decided.
	Verdict *Verdict `json:"verdict,omitempty"`
}
