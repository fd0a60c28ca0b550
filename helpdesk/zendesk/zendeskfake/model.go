package zendeskfake

import (
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// TimeFieldID is the id of the fake's "Total time spent (sec)" ticket field.
const TimeFieldID int64 = 360000012345

// Ticket is a ticket's state in the fake.
type Ticket struct {
	ID             int64
	Subject        string
	Status         string // new, open, pending, hold, solved, closed
	Priority       string // low, normal, high, urgent, "" for none
	Tags           []string
	RequesterID    int64
	OrganizationID int64
	Via            string // web, email, voice, api, …
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// TimeSpent is the Time Tracking app's "Total time spent (sec)".
	TimeSpent int64
}

// User is an account user; Role is end-user, agent or admin.
type User struct {
	ID    int64
	Name  string
	Email string
	Role  string
}

// Organization is an organisation of end-users.
type Organization struct {
	ID   int64
	Name string
}

// Comment is one comment of a ticket; Public false is an internal note.
type Comment struct {
	ID        int64
	TicketID  int64
	AuthorID  int64
	Public    bool
	Body      string
	Via       string
	CreatedAt time.Time
}

// AuditEvent is one change within an audit (type Change or Create, field name as the API
// shows it: "status", "priority", or a custom field's id).
type AuditEvent struct {
	Type          string
	FieldName     string
	Value         string
	PreviousValue string
}

// Audit is one update of a ticket.
type Audit struct {
	ID        int64
	TicketID  int64
	AuthorID  int64
	CreatedAt time.Time
	Events    []AuditEvent
}

var (
	ts    = fakeapi.Timestamp
	orNil = fakeapi.OrNil[int64]
)
