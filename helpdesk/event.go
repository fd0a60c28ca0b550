// Package helpdesk is the neutral view of a helpdesk that the rest of slaguard works with:
// the Event a webhook delivery turns into, the writes slaguard makes back, the time
// entries it bills, and the Adapter each helpdesk (zammad, zendesk, freshdesk) implements.
//
// It holds no state and does no I/O of its own; adapters do the helpdesk's HTTP.
package helpdesk

import (
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Sender is who wrote an article.
type Sender string

// The senders of articles.
const (
	SenderAgent    Sender = "agent"
	SenderCustomer Sender = "customer"
	SenderSystem   Sender = "system"
)

// Channel is how an article (or a ticket's first article) came in.
type Channel string

// The channels slaguard distinguishes; anything else is ChannelOther.
const (
	ChannelWeb   Channel = sla.ChannelWeb
	ChannelEmail Channel = sla.ChannelEmail
	ChannelPhone Channel = sla.ChannelPhone
	ChannelNote  Channel = sla.ChannelNote
	ChannelOther Channel = sla.ChannelOther
)

// Event is one webhook delivery in neutral form: a snapshot of the ticket as of UpdatedAt,
// plus the article that caused it, if any. Helpdesks such as Zammad send no event type,
// so an Event says what the ticket looks like, not what happened; the ticket log derives
// the history from the ordered snapshots.
type Event struct {
	// Helpdesk is the adapter's name ("zammad").
	Helpdesk string `json:"helpdesk"`
	// DeliveryID is the helpdesk's id of this delivery (the same on its retries), or a hash
	// of the body when the helpdesk sends none.
	DeliveryID string `json:"delivery_id"`
	// Trigger is the helpdesk's name for what fired the webhook, where it sends one.
	Trigger string   `json:"trigger,omitempty"`
	Ticket  Ticket   `json:"ticket"`
	Article *Article `json:"article,omitempty"`
	// ReceivedAt is when slaguard accepted the delivery (UTC).
	ReceivedAt time.Time `json:"received_at"`
}

// Ticket is the ticket's state in one snapshot.
type Ticket struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Title  string `json:"title"`
	// State is the helpdesk's state name ("pending reminder"); Paused says whether the
	// SLA stands still in it and Closed whether it counts as solved/closed.
	State  string `json:"state"`
	Paused bool   `json:"paused"`
	Closed bool   `json:"closed"`
	// Priority is the helpdesk's priority mapped to the policy's four; PriorityName is the
	// helpdesk's own name for it ("2 normal").
	Priority     sla.Priority `json:"priority"`
	PriorityName string       `json:"priority_name,omitempty"`
	// Tags the ticket carries, where the payload says.
	Tags []string `json:"tags,omitempty"`

	OrganizationID   string `json:"organization_id,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	CustomerEmail    string `json:"customer_email,omitempty"`
	// Channel is how the ticket was created (its first article's channel).
	Channel Channel `json:"channel,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// UpdatedBy is the helpdesk's id of the user who made this change; when it is the
	// user slaguard writes as, the change is slaguard's own.
	UpdatedBy string `json:"updated_by,omitempty"`
	// FirstResponseAt and ClosedAt are the helpdesk's own records, where it keeps them.
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	// TimeAccountingIDs lists the ids of the ticket's time-accounting entries, where the
	// payload carries them, so a change in them can trigger a re-read.
	TimeAccountingIDs []string `json:"time_accounting_ids,omitempty"`
}

// Article is one message or note on a ticket.
type Article struct {
	ID        string    `json:"id"`
	Sender    Sender    `json:"sender"`
	Internal  bool      `json:"internal"`
	Channel   Channel   `json:"channel"`
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// CreatedBy is the helpdesk's id of the author.
	CreatedBy string `json:"created_by,omitempty"`
	// AccountedMinutes is the time booked with this article, in minutes.
	AccountedMinutes float64 `json:"accounted_minutes,omitempty"`
}

// PublicAgentReply reports whether a is a reply of an agent the customer can see — what
// meets the first-response clock. Internal notes and system messages never do.
func (a *Article) PublicAgentReply() bool {
	return a != nil && a.Sender == SenderAgent && !a.Internal && a.Channel != ChannelNote
}
