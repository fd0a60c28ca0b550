package fakeapi

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Request is one request a fake received, as it received it.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	// Body is the JSON body decoded into maps, slices, float64, string, bool (nil when
	// there was none or it was not JSON); Raw is the body as sent.
	Body any
	Raw  []byte
	// Status is what the fake answered (0 for a request it let hang).
	Status int
	Hung   bool
	At     time.Time
}

// BodyMap is Body as a JSON object (nil when it is not one).
func (r Request) BodyMap() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// Fault makes matching requests fail instead of being answered.
type Fault struct {
	// Method and Path select the requests ("" matches any; Path matches exactly).
	Method string
	Path   string
	// Times is how many matching requests fail; 0 means 1, negative means all.
	Times int
	// Status is the answer (429, 500, 503, …; default 500) and RetryAfter its
	// Retry-After header ("" for none, "2" or an HTTP date).
	Status     int
	RetryAfter string
	// Hang leaves the request unanswered until the client gives up or the fake closes.
	Hang bool
}

type faultState struct {
	Fault
	left int // < 0: forever
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, rec)
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// RequestsTo returns the requests with this method ("" matches any) and path.
func (s *Server) RequestsTo(method, path string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests (the fake's data stays).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

// Fail adds a fault; faults match in the order added.
func (s *Server) Fail(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	if f.Status == 0 && !f.Hang {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f, left: left})
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
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
