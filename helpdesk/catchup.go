package helpdesk

import (
	"context"
	"time"
)

// Watermark is how far a catch-up sync has read a helpdesk's changes: tickets updated at
// or after Since are still to be read, and Cursor is the adapter's own position inside
// them (a page number, an export cursor; "" starts at Since). The zero Watermark reads
// from the beginning.
type Watermark struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
}

// ChangedPage is one page of a catch-up read: the changed tickets as snapshot events
// (no article, DeliveryID empty), oldest change first.
type ChangedPage struct {
	Tickets []Event
	// Next is where the following page starts; the caller stores it to survive a restart.
	Next Watermark
	// More is false on the last page: Next then names the newest change read.
	More bool
}

// Catchup is a helpdesk whose API can list the tickets changed since a watermark and
// rebuild a ticket's past, so that slaguard recovers the webhooks it never received.
// Adapters implement it next to Adapter; the reconciler is written against it only.
type Catchup interface {
	// Name is the helpdesk's name, as Adapter.Name.
	Name() string
	// Changed reads one page of tickets updated at or after since.Since, in ascending
	// order of their update. Failures worth retrying are *RetryableError (429 carries
	// Retry-After in After).
	Changed(ctx context.Context, since Watermark) (ChangedPage, error)
	// Timeline rebuilds the events of a ticket from the helpdesk's history: one event per
	// article and per change of state or priority, each a snapshot of the ticket as it
	// was then, with a DeliveryID that is the same every time the same change is rebuilt.
	// current is the ticket as Changed returned it.
	Timeline(ctx context.Context, current Event) ([]Event, error)
}
