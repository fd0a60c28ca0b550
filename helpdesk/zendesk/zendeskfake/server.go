package zendeskfake

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
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
}

// Server is a running fake Zendesk; its methods are safe for concurrent use.
type Server struct {
	URL   string
	Email string
	Token string

	srv  *http.Server
	opt  Options
	done chan struct{}
	wg   sync.WaitGroup

	mu        sync.Mutex
	tickets   map[int64]*Ticket
	users     map[int64]User
	orgs      map[int64]Organization
	comments  map[int64][]Comment
	audits    map[int64][]Audit
	requests  []Request
	faults    []*faultState
	nextID    int64
	closeOnce sync.Once
}

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
	s := &Server{Email: opt.Email, Token: opt.Token, opt: opt, done: make(chan struct{}),
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("zendeskfake: listen on a loopback port: " + err.Error())
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

// Me is the API user.
func (s *Server) Me() User { return s.opt.Me }

func (s *Server) authorized(r *http.Request) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.opt.Email+"/token:"+s.opt.Token))
	return r.Header.Get("Authorization") == want
}

// ServeHTTP records the request, applies faults, checks the credentials and answers.
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
	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		status, body = f.Status, map[string]any{"error": http.StatusText(f.Status)}
		if f.RetryAfter != "" {
			hdr.Set("Retry-After", f.RetryAfter)
		}
	} else if !s.authorized(r) {
		status, body = http.StatusUnauthorized, map[string]any{"error": "Couldn't authenticate you"}
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

// afterWrite sends the trigger webhook of ticket id, as the API user, from a goroutine.
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
	body, ok := s.bodyLocked(id, s.opt.Me.ID)
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
		req.Header = s.Headers(body, strconv.FormatInt(id, 10))
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
	Method, Path string // "" matches any; Path exactly
	Times        int    // 0 means 1, negative all
	Status       int    // default 500
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
