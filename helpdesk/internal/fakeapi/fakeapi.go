// Package fakeapi is what the fake helpdesks (zammadfake, zendeskfake, freshdeskfake)
// share: a loopback HTTP server that records every request, injects faults (a status,
// with Retry-After, or a request left hanging), enforces a per-minute rate limit on chosen paths the way the real APIs
// answer it (429 with Retry-After, measured on the fake's own clock), answers JSON, and
// sends webhooks back from goroutines it waits for on Close. It never imports testing.
package fakeapi

import (
	"bytes"
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

// Server is the recording, faulting, limiting HTTP side of a fake.
type Server struct {
	URL string

	h       Handler
	clock   func() time.Time
	srv     *http.Server
	mu      sync.Mutex
	reqs    []Request
	faults  []*faultState
	limits  []Limit
	hits    map[string][]time.Time
	done    chan struct{}
	wg      sync.WaitGroup // what Go started
	once    sync.Once
	pending int // what Go started and has not finished
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

// Close releases hanging requests, cancels what Go started (webhooks in flight), waits
// for it and stops the server. Use WaitIdle first to let webhooks finish.
func (s *Server) Close() {
	s.once.Do(func() {
		// Under mu, so that nothing can start in Go between the close and the Wait.
		s.mu.Lock()
		close(s.done)
		s.mu.Unlock()
		s.wg.Wait()
		s.srv.Close() // closes the listener and every connection, hanging requests too
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
	f := s.takeFault(r.Method, r.URL.Path)
	if f != nil && f.Hang {
		rec.Hung = true
		s.record(rec)
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	if f != nil {
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
	s.record(rec)
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
