// Package fakeapi is what the fake helpdesks (zendeskfake, freshdeskfake) share: a
// loopback HTTP server that records every request, injects faults (a status, with
// Retry-After), enforces a per-minute rate limit on chosen paths the way the real APIs
// answer it (429 with Retry-After, measured on the fake's own clock), answers JSON, and
// sends webhooks back from goroutines it waits for on Close. It never imports testing.
package fakeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request a fake received.
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

// Limit caps the requests to Path (every path below it when it ends in "/") at PerMinute in any minute of the fake's
// clock; the one over answers 429 with Retry-After, the seconds until a slot frees.
type Limit struct {
	Path      string
	PerMinute int
}

// Handler is what a fake answers with: Authorized checks the credentials, Route answers
// an authorized request (written: the ticket a write changed, 0 for none), Failure is
// the body of an injected fault or a 429, Unauthorized the body of a 401.
type Handler struct {
	Authorized   func(r *http.Request) bool
	Route        func(r *http.Request, raw []byte) (status int, body any, written int64)
	Failure      func(status int) any
	Unauthorized any
	// Written is told of each successful write (to send the webhook).
	Written func(id int64)
}

// TB is the part of testing.TB a fake's Start uses.
type TB interface {
	Helper()
	Cleanup(func())
}

// CloseWith closes s when tb ends and returns it: a fake's Start is
// fakeapi.CloseWith(tb, New(opt)).
func CloseWith[S interface{ Close() }](tb TB, s S) S {
	tb.Helper()
	tb.Cleanup(s.Close)
	return s
}

// NextID is the id an entry gets: id itself, or the next of the counter when id is 0.
func NextID(id int64, counter *int64) int64 {
	if id == 0 {
		*counter++
		id = *counter
	}
	return id
}

// At is when an entry was made, as the fakes stamp it: at, or now when at is zero, in
// UTC milliseconds (as their APIs show it, so a stamp read back compares equal).
func At(at time.Time, now func() time.Time) time.Time {
	if at.IsZero() {
		at = now()
	}
	return at.UTC().Truncate(time.Millisecond)
}

// Server is the recording, faulting, limiting HTTP side of a fake.
type Server struct {
	URL string

	h      Handler
	clock  func() time.Time
	srv    *http.Server
	mu     sync.Mutex
	reqs   []Request
	faults []*faultState
	limits []Limit
	hits   map[string][]time.Time
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	sent   int // webhooks in flight
}

// Start serves h on a loopback port; clock stamps requests and measures the limits.
func Start(h Handler, clock func() time.Time, limits ...Limit) *Server {
	s := &Server{h: h, clock: clock, limits: limits, hits: map[string][]time.Time{}, done: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("fakeapi: listen on a loopback port: " + err.Error())
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go s.srv.Serve(ln)
	return s
}

// Close waits for webhooks in flight and stops the server.
func (s *Server) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		close(s.done)
		s.mu.Unlock()
		s.wg.Wait()
		s.srv.Close()
	})
}

// ServeHTTP records the request, applies faults and limits, checks the credentials and
// answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Raw: raw,
		At: s.clock().UTC()}
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
		status, body = f.Status, s.h.Failure(f.Status)
		if f.RetryAfter != "" {
			hdr.Set("Retry-After", f.RetryAfter)
		}
	} else if !s.h.Authorized(r) {
		status, body = http.StatusUnauthorized, s.h.Unauthorized
	} else if wait, ok := s.limited(r.URL.Path, rec.At); !ok {
		status, body = http.StatusTooManyRequests, s.h.Failure(http.StatusTooManyRequests)
		hdr.Set("Retry-After", strconv.Itoa(wait))
	} else {
		var written int64
		status, body, written = s.h.Route(r, raw)
		if written != 0 && s.h.Written != nil {
			s.h.Written(written)
		}
	}
	rec.Status = status
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// limited counts a request to path at now against the limits; when one is spent it
// answers the whole seconds until its oldest request leaves the minute.
func (s *Server) limited(path string, now time.Time) (retryAfter int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.limits {
		if l.PerMinute <= 0 || !(path == l.Path || strings.HasSuffix(l.Path, "/") && strings.HasPrefix(path, l.Path)) {
			continue
		}
		hits := slices.DeleteFunc(s.hits[l.Path], func(t time.Time) bool { return !t.After(now.Add(-time.Minute)) })
		if len(hits) >= l.PerMinute {
			s.hits[l.Path] = hits
			wait := hits[0].Add(time.Minute).Sub(now)
			return max(1, int((wait+time.Second-1)/time.Second)), false
		}
		s.hits[l.Path] = append(hits, now)
	}
	return 0, true
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
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

// Send posts body to url with header from a goroutine (a webhook), unless the server is
// closing; Close waits for it.
func (s *Server) Send(url string, body []byte, header http.Header) {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	s.wg.Add(1)
	s.sent++
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() { s.mu.Lock(); s.sent--; s.mu.Unlock() }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header = header
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
}

// WaitIdle waits up to timeout (real time) until no webhook is in flight; it reports
// whether none is.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		n := s.sent
		s.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Timestamp is how the fakes write times: UTC with milliseconds (the real APIs write
// seconds; milliseconds keep two updates within one second of a fast test apart); null
// for the zero time.
func Timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// OrNil is id, or null for 0.
func OrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Stamp is now as the fakes stamp an update (ms), strictly after prev.
func Stamp(now, prev time.Time) time.Time {
	now = now.UTC().Truncate(time.Millisecond)
	if !now.After(prev) {
		now = prev.Add(time.Millisecond)
	}
	return now
}
