package zammadfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
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

// Server is a running fake Zammad. All methods are safe for concurrent use.
type Server struct {
	// URL is the instance's base URL (without /api/v1), for zammad.Config.BaseURL.
	URL string
	// Token is the access token it accepts.
	Token string

	srv  *http.Server
	ln   net.Listener
	opt  Options
	done chan struct{}
	wg   sync.WaitGroup // webhook senders and OnWrite calls

	mu          sync.Mutex
	tickets     map[int]*ticketState
	users       map[int]User
	priorities  []Priority
	requests    []Request
	faults      []*faultState
	webhooks    []Webhook
	nextArticle int
	nextTime    int
	nextHistory int
	pending     int // OnWrite calls and webhooks in flight
	closeOnce   sync.Once
}

type ticketState struct {
	t        Ticket
	tags     []string
	articles []Article
	times    []TimeAccounting
	history  []HistoryEntry
}

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
		Token: opt.Token, opt: opt, done: make(chan struct{}),
		tickets: map[int]*ticketState{}, users: map[int]User{opt.Me.ID: opt.Me},
		priorities: slices.Clone(opt.Priorities), nextArticle: 1000, nextTime: 1000,
	}
	for _, u := range opt.Users {
		s.users[u.ID] = u
	}
	for _, t := range opt.Tickets {
		s.addTicket(t)
	}
	for _, ta := range opt.TimeAccountings {
		s.AddTimeAccounting(ta)
	}
	// A loopback listener of its own, as httptest does, without linking package testing
	// into the binaries (the demo) that run the fake.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("zammadfake: listen on a loopback port: " + err.Error())
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go s.srv.Serve(ln)
	return s
}

// TB is the part of testing.TB that Start uses; the fake does not import package testing.
type TB interface {
	Helper()
	Cleanup(func())
}

// Start is New for tests: the server is closed when tb ends.
func Start(tb TB, opt Options) *Server {
	tb.Helper()
	s := New(opt)
	tb.Cleanup(s.Close)
	return s
}

// Close releases hanging requests, cancels webhooks in flight, waits for them and
// stops the server. Use WaitIdle first to let webhooks finish.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// Under mu, so no write can start a webhook between the close and the Wait.
		s.mu.Lock()
		close(s.done)
		s.mu.Unlock()
		s.wg.Wait()
		s.srv.Close() // closes the listener and every connection, hanging requests too
	})
}

// Client returns an HTTP client for the server (plain; the fake speaks http).
func (s *Server) Client() *http.Client { return &http.Client{} }

// ServeHTTP records the request, applies injected faults, checks the token and answers
// as Zammad would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
		Raw: raw, At: s.opt.Clock().UTC()}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			rec.Body = v
		}
	}
	status, body, hdr, hang := s.answer(r, raw)
	rec.Status = status
	if hang {
		rec.Hung = true
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) answer(r *http.Request, raw []byte) (status int, body any, hdr http.Header, hang bool) {
	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		if f.Hang {
			return 0, nil, nil, true
		}
		hdr = http.Header{}
		if f.RetryAfter != "" {
			hdr.Set("Retry-After", f.RetryAfter)
		}
		return f.Status, map[string]string{"error": http.StatusText(f.Status)}, hdr, false
	}
	if r.Header.Get("Authorization") != "Token token="+s.opt.Token {
		return http.StatusUnauthorized, map[string]string{"error": "Authentication required"}, nil, false
	}
	status, body = s.route(r, raw)
	return status, body, nil, false
}
