package freshdeskfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
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
}

// Server is a running fake Freshdesk; its methods are safe for concurrent use.
type Server struct {
	URL    string
	APIKey string

	srv  *http.Server
	opt  Options
	done chan struct{}
	wg   sync.WaitGroup

	mu        sync.Mutex
	tickets   map[int64]*Ticket
	contacts  map[int64]Contact
	companies map[int64]Company
	convs     map[int64][]Conversation
	times     map[int64][]TimeEntry
	requests  []Request
	faults    []*faultState
	nextID    int64
	closeOnce sync.Once
}

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
	s := &Server{APIKey: opt.APIKey, opt: opt, done: make(chan struct{}), tickets: map[int64]*Ticket{},
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("freshdeskfake: listen on a loopback port: " + err.Error())
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go s.srv.Serve(ln)
	return s
}

// TB is the part of testing.TB that Start uses.
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

// Close waits for webhooks in flight and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.done)
		s.mu.Unlock()
		s.wg.Wait()
		s.srv.Close()
	})
}

// Me is the agent the API key belongs to.
func (s *Server) Me() Contact { return s.opt.Me }

// ServeHTTP records the request, applies faults, checks the key and answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Raw: raw,
		At: s.opt.Clock().UTC()}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			rec.Body = v
		}
	}
	var status int
	var body any
	hdr := http.Header{}
	user, _, _ := r.BasicAuth()
	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		status, body = f.Status, map[string]any{"description": http.StatusText(f.Status)}
		if f.RetryAfter != "" {
			hdr.Set("Retry-After", f.RetryAfter)
		}
	} else if user != s.opt.APIKey {
		status, body = http.StatusUnauthorized, map[string]any{"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}
	} else {
		var written int64
		status, body, written = s.route(r, raw)
		if written != 0 {
			s.afterWrite(written)
		}
	}
	rec.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) afterWrite(id int64) {
	if s.opt.WebhookURL == "" {
		return
	}
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	body, ok := s.bodyLocked(id, "{ticket_action:updated}")
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opt.WebhookURL, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header = s.Headers()
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  map[string][]string
	Header http.Header
	Body   any
	Raw    []byte
	Status int
	At     time.Time
}

// BodyMap is Body as a JSON object (nil when it is not one).
func (r Request) BodyMap() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests with this method ("" any) and path.
func (s *Server) RequestsTo(method, path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Fault makes matching requests fail.
type Fault struct {
	Method, Path string
	Times        int
	Status       int
	RetryAfter   string
}

type faultState struct {
	Fault
	left int
}

// Fail adds a fault; faults match in the order added.
func (s *Server) Fail(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f, left: left})
}

func (s *Server) takeFault(method, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || (f.Path != "" && f.Path != path) {
			continue
		}
		out := f.Fault
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return &out
	}
	return nil
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
