// Package notifyfake holds fake receivers of slaguard's push notifications for tests: a
// chat webhook that answers as Slack, Mattermost or a Microsoft Teams workflow does, and
// a small SMTP server. Neither imports testing: tests and demos start them and Close them.
package notifyfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/monobunt/slaguard/notify"
)

// Answer is how the receiver answers one request instead of accepting it.
type Answer struct {
	Status     int
	RetryAfter string // the Retry-After header, if any
	Date       string // the Date header (default: net/http's, the wall clock)
	Body       string
	// Hang holds the request until the client gives up (its timeout) or Release.
	Hang bool
}

// Post is one request the receiver got and the status it answered.
type Post struct {
	Body   map[string]any
	Raw    []byte
	Status int
}

// Receiver is a chat webhook over TLS at URL: it checks each body as the real service
// does (Slack: text or blocks; Mattermost: text; Teams workflow: a message with an
// Adaptive Card attachment), answers 400 to one it would refuse, and accepts the rest
// (Slack and Mattermost 200 "ok", Teams 202) unless an Answer of Fail is due.
type Receiver struct {
	// URL is the webhook's URL; its path plays the secret.
	URL     string
	channel notify.Channel
	srv     *httptest.Server

	mu      sync.Mutex
	posts   []Post
	script  []Answer
	always  *Answer
	release chan struct{}
	hanging int
}

// NewReceiver starts a receiver that behaves as channel's service.
func NewReceiver(channel notify.Channel) *Receiver {
	r := &Receiver{channel: channel, release: make(chan struct{})}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL + "/hooks/s3cr3t-" + string(channel)
	return r
}

// Client is an HTTP client that trusts the receivers' certificate (every Receiver
// shares httptest's certificate, so one client reaches all of them).
func (r *Receiver) Client() *http.Client { return r.srv.Client() }

// Fail makes the next requests get these answers, one each, in order.
func (r *Receiver) Fail(answers ...Answer) {
	r.mu.Lock()
	r.script = append(r.script, answers...)
	r.mu.Unlock()
}

// Down makes every request get a (nil: accepted again) until Down is called again.
func (r *Receiver) Down(a *Answer) {
	r.mu.Lock()
	r.always = a
	r.mu.Unlock()
}

// Posts are every request received, in order.
func (r *Receiver) Posts() []Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Post(nil), r.posts...)
}

// Delivered are the requests the receiver accepted (answered 2xx): what reached the
// channel.
func (r *Receiver) Delivered() []Post {
	var out []Post
	for _, p := range r.Posts() {
		if p.Status >= 200 && p.Status < 300 {
			out = append(out, p)
		}
	}
	return out
}

// Hanging is how many requests the receiver holds right now (Answer.Hang).
func (r *Receiver) Hanging() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hanging
}

// Release lets every hanging request go (answered 503).
func (r *Receiver) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.release:
	default:
		close(r.release)
	}
}

// Close releases hanging requests and stops the receiver.
func (r *Receiver) Close() {
	r.Release()
	r.srv.Close()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	p := Post{Raw: raw}
	_ = json.Unmarshal(raw, &p.Body)
	r.mu.Lock()
	var a *Answer
	switch {
	case r.always != nil:
		a = r.always
	case len(r.script) > 0:
		a = &r.script[0]
		r.script = r.script[1:]
	}
	r.mu.Unlock()
	switch {
	case req.Method != http.MethodPost || req.URL.Path != "/hooks/s3cr3t-"+string(r.channel):
		p.Status = http.StatusNotFound
	case a != nil && a.Hang:
		r.mu.Lock()
		r.hanging++
		r.mu.Unlock()
		select {
		case <-req.Context().Done():
		case <-r.release:
		}
		r.mu.Lock()
		r.hanging--
		r.mu.Unlock()
		p.Status = http.StatusServiceUnavailable
	case a != nil:
		p.Status = a.Status
		if a.RetryAfter != "" {
			w.Header().Set("Retry-After", a.RetryAfter)
		}
		if a.Date != "" {
			w.Header().Set("Date", a.Date)
		}
	default:
		p.Status = r.accept(p.Body)
	}
	r.mu.Lock()
	r.posts = append(r.posts, p)
	r.mu.Unlock()
	w.WriteHeader(p.Status)
	switch {
	case a != nil && a.Body != "":
		io.WriteString(w, a.Body)
	case p.Status == http.StatusOK:
		io.WriteString(w, "ok")
	case p.Status == http.StatusBadRequest && r.channel == notify.Slack:
		io.WriteString(w, "invalid_payload")
	case p.Status == http.StatusNotFound && r.channel == notify.Slack:
		io.WriteString(w, "no_service")
	}
}

// accept is the status the real service gives a body.
func (r *Receiver) accept(body map[string]any) int {
	switch r.channel {
	case notify.Slack:
		if s, _ := body["text"].(string); s == "" && body["blocks"] == nil {
			return http.StatusBadRequest
		}
		return http.StatusOK
	case notify.Mattermost:
		if s, _ := body["text"].(string); s == "" {
			return http.StatusBadRequest
		}
		return http.StatusOK
	case notify.Teams:
		atts, _ := body["attachments"].([]any)
		if body["type"] != "message" || len(atts) == 0 {
			return http.StatusBadRequest
		}
		att, _ := atts[0].(map[string]any)
		card, _ := att["content"].(map[string]any)
		if att["contentType"] != "application/vnd.microsoft.card.adaptive" || card["type"] != "AdaptiveCard" {
			return http.StatusBadRequest
		}
		return http.StatusAccepted
	}
	return http.StatusNotFound
}
