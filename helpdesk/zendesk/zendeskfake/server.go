package zendeskfake

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/fakeapi"
)

// Default credentials the fake accepts when Options leave them empty.
const (
	DefaultEmail = "slaguard@agency.example"
	DefaultToken = "zendesk-test-token"
)

// DefaultMe is the API user when Options.Me is zero.
var DefaultMe = User{ID: 9100000000099, Name: "slaguard", Email: DefaultEmail, Role: "admin"}

// Options configure a fake Zendesk; the zero value is usable.
type Options struct {
	Email, Token string
	Me           User
	Users        []User
	Orgs         []Organization
	Tickets      []Ticket
	// WebhookURL, when set, receives a signed trigger webhook (Body) after each successful
	// write, with the API user as current user; WebhookSecret signs it.
	WebhookURL    string
	WebhookSecret string
	// Clock stamps updates, requests and webhook timestamps; nil means time.Now.
	Clock func() time.Time
	// ExportPerMinute caps the incremental export's requests a minute of Clock, as
	// Zendesk does (0: ExportPerMinute; negative: no cap).
	ExportPerMinute int
}

// Server is a running fake Zendesk; its methods are safe for concurrent use. The
// request log, faults (Fail) and the export's rate limit come from the embedded
// fakeapi.Server.
type Server struct {
	*fakeapi.Server
	URL   string
	Email string
	Token string

	opt Options

	mu       sync.Mutex
	tickets  map[int64]*Ticket
	users    map[int64]User
	orgs     map[int64]Organization
	comments map[int64][]Comment
	audits   map[int64][]Audit
	nextID   int64
}

// Request is one request the fake received.
type Request = fakeapi.Request

// Fault makes matching requests fail (see Server.Fail).
type Fault = fakeapi.Fault

// ExportPerMinute is how many incremental export requests Zendesk answers a minute.
const ExportPerMinute = 10

// New starts a fake Zendesk on a loopback port. Close it when done.
func New(opt Options) *Server {
	if opt.Email == "" {
		opt.Email = DefaultEmail
	}
	if opt.Token == "" {
		opt.Token = DefaultToken
	}
	if opt.Me.ID == 0 {
		opt.Me = DefaultMe
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.ExportPerMinute == 0 {
		opt.ExportPerMinute = ExportPerMinute
	}
	s := &Server{Email: opt.Email, Token: opt.Token, opt: opt,
		tickets: map[int64]*Ticket{}, users: map[int64]User{opt.Me.ID: opt.Me}, orgs: map[int64]Organization{},
		comments: map[int64][]Comment{}, audits: map[int64][]Audit{}, nextID: 5000}
	for _, u := range opt.Users {
		s.users[u.ID] = u
	}
	for _, o := range opt.Orgs {
		s.orgs[o.ID] = o
	}
	for _, t := range opt.Tickets {
		s.PutTicket(t, 0)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(opt.Email+"/token:"+opt.Token))
	s.Server = fakeapi.Start(fakeapi.Handler{
		Authorized:   func(r *http.Request) bool { return r.Header.Get("Authorization") == auth },
		Route:        s.route,
		Failure:      func(status int) any { return map[string]any{"error": http.StatusText(status)} },
		Unauthorized: map[string]any{"error": "Couldn't authenticate you"},
		Written:      s.afterWrite,
	}, opt.Clock, fakeapi.Limit{Path: "/api/v2/incremental/", PerMinute: opt.ExportPerMinute})
	s.URL = s.Server.URL
	return s
}

// TB is the part of testing.TB that Start uses.
type TB = fakeapi.TB

// Start is New for tests: the server is closed when tb ends.
func Start(tb TB, opt Options) *Server { tb.Helper(); return fakeapi.CloseWith(tb, New(opt)) }

// Me is the API user.
func (s *Server) Me() User { return s.opt.Me }

// afterWrite sends the trigger webhook of ticket id, as the API user.
func (s *Server) afterWrite(id int64) {
	if s.opt.WebhookURL == "" {
		return
	}
	body, ok := s.Body(id, s.opt.Me.ID)
	if ok {
		s.Send(s.opt.WebhookURL, body, s.Headers(body, strconv.FormatInt(id, 10)))
	}
}
