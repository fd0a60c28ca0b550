package zammadfake

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// DefaultToken is the access token the fake accepts when Options.Token is empty.
const DefaultToken = "zammad-test-token"

// DefaultMe is the user the token belongs to when Options.Me is zero.
var DefaultMe = User{ID: 99, Login: "slaguard", Email: "slaguard@helpdesk.example", Firstname: "slaguard"}

// Options configure a fake Zammad. The zero value is a usable instance with Zammad's
// default priorities and no tickets.
type Options struct {
	// Token is the access token requests must carry (Authorization: Token token=…).
	Token string
	// Me is the token's user (GET /api/v1/users/me, updated_by_id of every write).
	Me User
	// Users are further users (GET /api/v1/users/{id}); tickets' customers are added
	// from their CustomerID and CustomerEmail.
	Users []User
	// Tickets, Priorities and TimeAccountings seed the instance. Nil Priorities means
	// DefaultPriorities.
	Tickets         []Ticket
	Priorities      []Priority
	TimeAccountings []TimeAccounting
	// Strict answers 404 for writes to unknown tickets; otherwise a write creates the
	// ticket (reads of unknown tickets are 404 either way, as in Zammad).
	Strict bool
	// OnWrite is called after each successful write (priority, article, tag) with the
	// ticket id, from a goroutine of its own.
	OnWrite func(ticketID int)
	// WebhookURL, when set, receives a Zammad-shaped webhook after each successful write,
	// signed with WebhookSecret (unsigned when empty) and named WebhookTrigger.
	WebhookURL     string
	WebhookSecret  string
	WebhookTrigger string
	// NoAgent takes the ticket.agent permission from the token, as a token created without
	// it: every request but GET /users/me answers 403, as Zammad does.
	NoAgent bool
	// Clock stamps writes and recorded requests; nil means time.Now.
	Clock func() time.Time
}

// Server is a running fake Zammad. All methods are safe for concurrent use. The request
// log, faults (Fail, ClearFaults), WaitIdle and Close come from the embedded
// fakeapi.Server.
type Server struct {
	*fakeapi.Server
	// URL is the instance's base URL (without /api/v1), for zammad.Config.BaseURL.
	URL string
	// Token is the access token it accepts.
	Token string

	opt Options

	mu          sync.Mutex
	tickets     map[int]*ticketState
	users       map[int]User
	priorities  []Priority
	webhooks    []Webhook
	nextArticle int
	nextTime    int
	nextHistory int
}

type ticketState struct {
	t        Ticket
	tags     []string
	articles []Article
	times    []TimeAccounting
	history  []HistoryEntry
}

// Request is one request the fake received.
type Request = fakeapi.Request

// Fault makes matching requests fail instead of being answered (see Server.Fail).
type Fault = fakeapi.Fault

// New starts a fake Zammad on a loopback port. Close it when done.
func New(opt Options) *Server {
	if opt.Token == "" {
		opt.Token = DefaultToken
	}
	if opt.Me.ID == 0 {
		opt.Me = DefaultMe
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Priorities == nil {
		opt.Priorities = DefaultPriorities
	}
	if opt.WebhookTrigger == "" {
		opt.WebhookTrigger = "slaguard: ticket updated"
	}
	s := &Server{
		Token: opt.Token, opt: opt,
		tickets: map[int]*ticketState{}, users: map[int]User{opt.Me.ID: opt.Me},
		priorities: slices.Clone(opt.Priorities), nextArticle: 1000, nextTime: 1000,
	}
	for _, u := range opt.Users {
		s.users[u.ID] = u
	}
	for _, t := range opt.Tickets {
		s.AddTicket(t)
	}
	for _, ta := range opt.TimeAccountings {
		s.AddTimeAccounting(ta)
	}
	s.Server = fakeapi.Start(fakeapi.Handler{
		Authorized: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Token token="+opt.Token },
		Route: func(r *http.Request, raw []byte) (int, any, int64) {
			status, body := s.route(r, raw)
			return status, body, 0 // a write sends its webhook itself, with its article
		},
		Failure:      func(status int) any { return map[string]string{"error": http.StatusText(status)} },
		Unauthorized: map[string]string{"error": "Authentication required"},
	}, opt.Clock)
	s.URL = s.Server.URL
	return s
}

// TB is the part of testing.TB that Start uses; the fake does not import package testing.
type TB = fakeapi.TB

// Start is New for tests: the server is closed when tb ends.
func Start(tb TB, opt Options) *Server { tb.Helper(); return fakeapi.CloseWith(tb, New(opt)) }

// Client returns an HTTP client for the server (plain; the fake speaks http).
func (s *Server) Client() *http.Client { return &http.Client{} }
