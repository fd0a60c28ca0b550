package zammadfake

import (
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// User is a Zammad user as far as the fake needs one.
type User struct {
	ID        int
	Login     string
	Email     string
	Firstname string
	Lastname  string
}

// Ticket is a ticket's state in the fake and in a webhook payload. Zero values are filled
// with Zammad's defaults where a payload needs one (state "new", priority "2 normal").
type Ticket struct {
	ID                  int
	Number              string
	Title               string
	State               string
	Priority            string
	Group               string
	OrganizationID      int
	OrganizationName    string
	CustomerID          int
	CustomerEmail       string
	OwnerID             int
	CreateArticleType   string
	CreateArticleSender string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	CreatedByID         int
	UpdatedByID         int
	FirstResponseAt     *time.Time
	CloseAt             *time.Time
	PendingTime         *time.Time
	ArticleIDs          []int
	TimeAccountingIDs   []int
}

// Article is one article of a ticket.
type Article struct {
	ID          int
	TicketID    int
	Sender      string // Agent, Customer, System
	Type        string // email, web, phone, note, …
	Internal    bool
	Subject     string
	Body        string
	ContentType string
	From        string
	To          string
	CreatedAt   time.Time
	CreatedByID int
	// AccountedTime is the time booked with the article (Zammad's time unit).
	AccountedTime float64
}

// TimeAccounting is one time-accounting entry; TimeUnit is Zammad's decimal string ("15.0").
type TimeAccounting struct {
	ID          int
	TicketID    int
	ArticleID   int
	TimeUnit    string
	TypeID      int
	CreatedByID int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Priority is one entry of the instance's priority list.
type Priority struct {
	ID            int
	Name          string
	Active        bool
	DefaultCreate bool
}

// DefaultPriorities are a fresh Zammad instance's priorities.
var DefaultPriorities = []Priority{
	{ID: 1, Name: "1 low", Active: true},
	{ID: 2, Name: "2 normal", Active: true, DefaultCreate: true},
	{ID: 3, Name: "3 high", Active: true},
}

// stateIDs are a fresh instance's states.
var stateIDs = map[string]int{
	"new": 1, "open": 2, "pending reminder": 3, "closed": 4, "merged": 5, "removed": 6, "pending close": 7,
}

var articleTypeIDs = map[string]int{
	"email": 1, "sms": 2, "chat": 3, "fax": 4, "phone": 5, "note": 10, "web": 11,
}

var senderIDs = map[string]int{"Agent": 1, "Customer": 2, "System": 3}

// Zammad writes times in UTC with milliseconds, as fakeapi.Timestamp does.
var (
	ts    = fakeapi.Timestamp
	orNil = fakeapi.OrNil[int]
)

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func (t Ticket) withDefaults() Ticket {
	if t.State == "" {
		t.State = "new"
	}
	if t.Priority == "" {
		t.Priority = "2 normal"
	}
	if t.Group == "" {
		t.Group = "Users"
	}
	if t.Number == "" && t.ID != 0 {
		t.Number = "31" + pad6(t.ID)
	}
	if t.OwnerID == 0 {
		t.OwnerID = 1
	}
	if t.CreateArticleType == "" {
		t.CreateArticleType = "email"
	}
	if t.CreateArticleSender == "" {
		t.CreateArticleSender = "Customer"
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	if t.CreatedByID == 0 {
		t.CreatedByID = t.CustomerID
	}
	if t.UpdatedByID == 0 {
		t.UpdatedByID = t.CreatedByID
	}
	return t
}

func pad6(n int) string {
	s := itoa(n)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}
