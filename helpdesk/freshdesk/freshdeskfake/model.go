package freshdeskfake

import (
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// Ticket is a ticket's state in the fake. Status and Priority are Freshdesk's codes
// (status 2 open, 3 pending, 4 resolved, 5 closed; priority 1 low … 4 urgent); Source 1
// email, 2 portal, 3 phone.
type Ticket struct {
	ID          int64
	Subject     string
	Description string
	Status      int
	Priority    int
	Source      int
	Tags        []string
	RequesterID int64
	CompanyID   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// FirstRespondedAt is what the ticket's stats say (set when an agent replies).
	FirstRespondedAt *time.Time
	// StatusUpdatedAt is when the status was last set (stats.status_updated_at); PutTicket
	// and updates keep it.
	StatusUpdatedAt time.Time
}

// Contact is a requester.
type Contact struct {
	ID    int64
	Name  string
	Email string
}

// Company is an organisation of contacts.
type Company struct {
	ID   int64
	Name string
}

// Conversation is a reply or note; Incoming is from the requester, Private an internal note.
type Conversation struct {
	ID        int64
	TicketID  int64
	UserID    int64
	Body      string
	Incoming  bool
	Private   bool
	Source    int // 0 reply, 2 note
	CreatedAt time.Time
}

// TimeEntry is a booking; TimeSpent is "hh:mm". CreatedAt is when it was logged (zero:
// the fake's clock), ExecutedAt when the work was done (zero: CreatedAt), as in Freshdesk,
// where an agent may log work of the past.
type TimeEntry struct {
	ID         int64
	TicketID   int64
	AgentID    int64
	TimeSpent  string
	Billable   bool
	ExecutedAt time.Time
	CreatedAt  time.Time
}

var (
	ts    = fakeapi.Timestamp
	orNil = fakeapi.OrNil[int64]
)
