package freshdeskfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// DefaultAPIKey is the API key the fake accepts when Options.APIKey is empty.
const DefaultAPIKey = "freshdesk-test-key"

// DefaultMe is the agent the key belongs to.
var DefaultMe = Contact{ID: 77000000099, Name: "slaguard", Email: "slaguard@agency.example"}

// Options configure a fake Freshdesk; the zero value is usable.
type Options struct {
	APIKey    string
	Me        Contact
	Contacts  []Contact
	Companies []Company
	Tickets   []Ticket
	// WebhookURL, when set, receives the automation rule's webhook (Body) after each
	// successful write, with WebhookSecret in X-Webhook-Token.
	WebhookURL    string
	WebhookSecret string
	Clock         func() time.Time
	// MaxPage is the ticket list's page cap (0: Freshdesk's 300); a page past it is 400.
	MaxPage int
	// ListPerMinute caps the ticket list's requests a minute of Clock, as Freshdesk's
	// plans do (0: ListPerMinute, Growth's limit; negative: no cap).
	ListPerMinute int
}

// Server is a running fake Freshdesk; its methods are safe for concurrent use. The
// request log, faults (Fail) and the list's rate limit come from the embedded
// fakeapi.Server.
type Server struct {
	*fakeapi.Server
	URL    string
	APIKey string

	opt Options

	mu        sync.Mutex
	tickets   map[int64]*Ticket
	contacts  map[int64]Contact
	companies map[int64]Company
	convs     map[int64][]Conversation
	times     map[int64][]TimeEntry
	nextID    int64
}

// Request is one request the fake received.
type Request = fakeapi.Request

// Fault makes matching requests fail (see Server.Fail).
type Fault = fakeapi.Fault

// Freshdesk's limits the fake keeps by default.
const (
	MaxPage       = 300
	ListPerMinute = 20
)

// New starts a fake Freshdesk on a loopback port. Close it when done.
func New(opt Options) *Server {
	if opt.APIKey == "" {
		opt.APIKey = DefaultAPIKey
	}
	if opt.Me.ID == 0 {
		opt.Me = DefaultMe
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.MaxPage <= 0 {
		opt.MaxPage = MaxPage
	}
	if opt.ListPerMinute == 0 {
		opt.ListPerMinute = ListPerMinute
	}
	s := &Server{APIKey: opt.APIKey, opt: opt, tickets: map[int64]*Ticket{},
		contacts: map[int64]Contact{}, companies: map[int64]Company{}, convs: map[int64][]Conversation{},
		times: map[int64][]TimeEntry{}, nextID: 9000}
	for _, c := range opt.Contacts {
		s.contacts[c.ID] = c
	}
	for _, c := range opt.Companies {
		s.companies[c.ID] = c
	}
	for _, t := range opt.Tickets {
		s.PutTicket(t)
	}
	s.Server = fakeapi.Start(fakeapi.Handler{
		Authorized: func(r *http.Request) bool { user, _, _ := r.BasicAuth(); return user == opt.APIKey },
		Route:      s.route,
		Failure:    func(status int) any { return map[string]any{"description": http.StatusText(status)} },
		Unauthorized: map[string]any{"code": "invalid_credentials",
			"message": "You have to be logged in to perform this action."},
		Written: s.afterWrite,
	}, opt.Clock, fakeapi.Limit{Path: "/api/v2/tickets", PerMinute: opt.ListPerMinute})
	s.URL = s.Server.URL
	return s
}

// TB is the part of testing.TB that Start uses.
type TB = fakeapi.TB

// Start is New for tests: the server is closed when tb ends.
func Start(tb TB, opt Options) *Server { tb.Helper(); return fakeapi.CloseWith(tb, New(opt)) }

// Me is the agent the API key belongs to.
func (s *Server) Me() Contact { return s.opt.Me }

// afterWrite sends the automation rule's webhook of ticket id.
func (s *Server) afterWrite(id int64) {
	if s.opt.WebhookURL == "" {
		return
	}
	if body, ok := s.Body(id, "{ticket_action:updated}"); ok {
		s.Send(s.opt.WebhookURL, body, s.Headers())
	}
}

// Headers are the headers of the rule's webhook: JSON and the shared secret.
func (s *Server) Headers() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if s.opt.WebhookSecret != "" {
		h.Set("X-Webhook-Token", s.opt.WebhookSecret)
	}
	return h
}

// Body renders the automation rule's body slaguard's README recommends for ticket id,
// with triggered_event as Freshdesk renders {{triggered_event}}.
func (s *Server) Body(id int64, triggered string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodyLocked(id, triggered)
}

var prioNames = map[int]string{1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
var statusNames = map[int]string{2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}

func (s *Server) bodyLocked(id int64, triggered string) ([]byte, bool) {
	t, ok := s.tickets[id]
	if !ok {
		return nil, false
	}
	tags := ""
	for i, tag := range t.Tags {
		if i > 0 {
			tags += ","
		}
		tags += tag
	}
	m := map[string]any{"freshdesk_webhook": map[string]any{
		"ticket_id": strconv.FormatInt(t.ID, 10), "ticket_subject": t.Subject, "ticket_status": statusNames[t.Status],
		"ticket_priority": prioNames[t.Priority], "ticket_tags": tags, "requester_email": s.contacts[t.RequesterID].Email,
		"triggered_event": triggered,
	}}
	b, err := json.Marshal(m)
	if err != nil {
		panic("freshdeskfake: encode body: " + err.Error())
	}
	return b, true
}
