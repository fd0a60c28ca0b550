package helpdesk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// Errors adapters return, tested with errors.Is.
var (
	// ErrSignature: the delivery is not signed, or not by the shared secret.
	ErrSignature = errors.New("helpdesk: missing or invalid signature")
	// ErrPayload: the delivery is not a payload this adapter understands.
	ErrPayload = errors.New("helpdesk: malformed payload")
	// ErrNotFound: the ticket (or entry) does not exist in the helpdesk.
	ErrNotFound = errors.New("helpdesk: not found")
)

// RetryableError is a failed write that may succeed later (429, 5xx, a network error).
// After, when positive, is how long the helpdesk asked us to wait (Retry-After).
type RetryableError struct {
	Err    error
	Status int
	After  time.Duration
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// TicketRef names a ticket in its helpdesk.
type TicketRef struct {
	Helpdesk string `json:"helpdesk"`
	ID       string `json:"id"`
	Number   string `json:"number,omitempty"`
}

// Write is one change slaguard makes to a ticket. Every field is optional; an adapter
// makes as few requests as the helpdesk allows (Zammad: priority and note in one PUT).
type Write struct {
	// Priority, when set, becomes the ticket's priority.
	Priority sla.Priority `json:"priority,omitempty"`
	// Tags are added.
	Tags []string `json:"tags,omitempty"`
	// RemoveTags are removed (a mark withdrawn, such as sla-no-contract once a contract
	// covers the ticket); removing a tag the ticket lacks is no error.
	RemoveTags []string `json:"remove_tags,omitempty"`
	// Note is an internal note only agents see.
	Note string `json:"note,omitempty"`
	// Reply is a public article to the customer (e.g. the real-time confirmation).
	Reply        string `json:"reply,omitempty"`
	ReplySubject string `json:"reply_subject,omitempty"`
	// ReplyTo is the customer's address for Reply, when the caller knows it; an adapter
	// that needs an address and gets none looks the ticket's customer up.
	ReplyTo string `json:"reply_to,omitempty"`
}

// TimeEntry is one entry of a ticket's time accounting.
type TimeEntry struct {
	ID        string    `json:"id"`
	TicketID  string    `json:"ticket_id"`
	ArticleID string    `json:"article_id,omitempty"`
	Minutes   float64   `json:"minutes"`
	TypeID    string    `json:"type_id,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Adapter is one helpdesk. Verify and Parse are pure and fast (the webhook path);
// Apply and TimeEntries call the helpdesk's REST API.
type Adapter interface {
	// Name is the helpdesk's name in URLs and keys ("zammad").
	Name() string
	// Verify checks the delivery's signature over the raw body; ErrSignature if it fails.
	Verify(h http.Header, body []byte) error
	// Parse turns a delivery into neutral events (usually one), each with its delivery
	// id. It wraps ErrPayload when the body is not a payload it understands.
	Parse(h http.Header, body []byte) ([]Event, error)
	// Apply makes w on the ticket. Failures worth retrying are *RetryableError.
	Apply(ctx context.Context, t TicketRef, w Write) error
	// TimeEntries reads the ticket's time accounting.
	TimeEntries(ctx context.Context, t TicketRef) ([]TimeEntry, error)
}

// ReadBack is implemented by adapters that do not act on a webhook body as sent: the
// worker hands it the event Parse made of the delivery and acts on the event it returns,
// read from the helpdesk's API. Freshdesk signs nothing, so its body is only a hint that
// a ticket changed; Zendesk's trigger placeholders cannot say which comment is new. An
// adapter without API access returns the hint unchanged. ErrNotFound means the ticket is
// gone (or never existed: a forged hint), and there is nothing to act on.
type ReadBack interface {
	ReadBack(ctx context.Context, hint Event) (Event, error)
}

// WriteMerger is implemented by adapters whose helpdesk limits the updates of one ticket
// (Zendesk: 30 per ticket per 10 minutes), so a ticket's pending writes go out merged
// into one Write (see Merge) and so in as few requests as the helpdesk allows.
type WriteMerger interface {
	MergesWrites() bool
}

// Merge folds writes, in the order they were decided, into one: the last priority wins,
// tags added and tags removed are each the union in order, notes are joined by a blank
// line, and the first reply is kept (a ticket gets one confirmation).
func Merge(ws ...Write) Write {
	var out Write
	seen, gone := map[string]bool{}, map[string]bool{}
	for _, w := range ws {
		if w.Priority != "" {
			out.Priority = w.Priority
		}
		for _, t := range w.Tags {
			if !seen[t] {
				seen[t] = true
				out.Tags = append(out.Tags, t)
			}
		}
		for _, t := range w.RemoveTags {
			if !gone[t] {
				gone[t] = true
				out.RemoveTags = append(out.RemoveTags, t)
			}
		}
		if w.Note != "" {
			if out.Note != "" {
				out.Note += "\n\n"
			}
			out.Note += w.Note
		}
		if w.Reply != "" && out.Reply == "" {
			out.Reply, out.ReplySubject, out.ReplyTo = w.Reply, w.ReplySubject, w.ReplyTo
		}
	}
	return out
}

// Delivery is what the webhook door needs of a delivery before it queues the raw body:
// its identity (for deduplication) and its ticket, plus the headers Parse reads later.
type Delivery struct {
	// ID is the helpdesk's delivery id (the same on its retries), or a hash of the body.
	ID string
	// TicketID is the ticket the delivery is about.
	TicketID string
	// Header holds the request headers Parse needs, and nothing else.
	Header http.Header
}

// Router is implemented by adapters that can name a delivery without parsing it: the
// webhook door then verifies, routes and queues the raw body, and the worker parses it.
type Router interface {
	// Route reads only what routing and deduplication need. It wraps ErrPayload when the
	// body is not a payload the adapter understands (no ticket id, not JSON).
	Route(h http.Header, body []byte) (Delivery, error)
}

// FieldError names one bad field of a delivery by its JSON path ("ticket.created_at").
type FieldError struct {
	Field  string
	Reason string
}

// InvalidEvent is a delivery that is JSON but not a ticket event slaguard can act on:
// a ticket id that is missing or not a helpdesk's id, a missing or unreadable time.
// It wraps ErrPayload; the webhook door answers it with 422 naming each field, so the
// helpdesk's admin sees what the webhook's payload lacks and nothing is queued.
type InvalidEvent struct {
	Helpdesk string
	Fields   []FieldError
}

func (e *InvalidEvent) Error() string {
	var b strings.Builder
	b.WriteString(e.Helpdesk)
	b.WriteString(": not a ticket event:")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" ")
		b.WriteString(f.Field)
		b.WriteString(" ")
		b.WriteString(f.Reason)
	}
	return b.String()
}

func (e *InvalidEvent) Unwrap() error { return ErrPayload }

// Invalid returns an *InvalidEvent of fields, or nil when there are none.
func Invalid(helpdeskName string, fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &InvalidEvent{Helpdesk: helpdeskName, Fields: fields}
}

// NumericID reports whether s is a positive whole number of at most 19 digits, the form
// of ticket and article ids in Zammad, Zendesk and Freshdesk.
func NumericID(s string) bool {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
