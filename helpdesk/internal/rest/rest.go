// Package rest is the request helper the helpdesk adapters share: one JSON request to a
// helpdesk's REST API, its answer decoded, and its failure sorted the way the worker and
// the catch-up act on it — 429, 5xx and transport failures are *helpdesk.RetryableError
// (with the Retry-After the helpdesk asked for), 404 wraps helpdesk.ErrNotFound, other
// statuses an adapter names wrap its own error, the rest are plain errors naming the
// helpdesk, the ticket and what the request was for.
//
// It never retries by itself: the asynq queue (write-backs) and the reconciler (catch-up)
// decide when to try again.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monobunt/slaguard/helpdesk"
)

// DefaultMaxResponse caps how much of an answer is read when Client.MaxResponse is 0.
const DefaultMaxResponse = 16 << 20

// Call is one REST request: what it is for (named in errors) and where it goes.
type Call struct {
	// Ticket is the ticket the request is about ("" for none).
	Ticket string
	// What the request is for, as errors name it ("add tags", "read ticket").
	What   string
	Method string
	// Path is below the client's Base, with its query.
	Path string
	// Body, when not nil, is sent as JSON.
	Body any
}

// Client sends Calls to one helpdesk's API. Its fields are set once, before use; it is
// then safe for concurrent use.
type Client struct {
	// Name prefixes every error ("zendesk").
	Name string
	// Base is the API's root with its version ("https://x.zendesk.com/api/v2"); empty
	// means no API is configured and every call fails with NoBase.
	Base   string
	NoBase error
	// Auth sets the request's credentials.
	Auth func(*http.Request)
	HTTP *http.Client
	// Clock reads the time for Retry-After dates (nil: time.Now).
	Clock func() time.Time
	// MaxResponse caps how much of an answer is read (0: DefaultMaxResponse).
	MaxResponse int64
	// Explain is the helpdesk's own explanation in an error answer ("" when none).
	Explain func(body []byte) string
	// Status wraps the errors of these statuses with the adapter's own sentinel (Zendesk:
	// 409 on a stale safe update). 404 always wraps helpdesk.ErrNotFound.
	Status map[int]error
}

// Errorf is an error about c: "<name>: ticket <id>: <what>: <message>".
func (cl *Client) Errorf(c Call, format string, args ...any) error {
	prefix := cl.Name + ": "
	if c.Ticket != "" {
		prefix += "ticket " + c.Ticket + ": "
	}
	return fmt.Errorf(prefix+c.What+": "+format, args...)
}

// HasAPI reports whether a base URL is configured.
func (cl *Client) HasAPI() bool { return cl.Base != "" }

// Do sends c and decodes a 2xx answer into out (when out is not nil and the answer not
// empty). Failures are sorted as the package doc says.
func (cl *Client) Do(ctx context.Context, c Call, out any) error {
	if cl.Base == "" {
		return cl.Errorf(c, "%w", cl.NoBase)
	}
	var body io.Reader
	if c.Body != nil {
		b, err := json.Marshal(c.Body)
		if err != nil {
			return cl.Errorf(c, "encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, cl.Base+c.Path, body)
	if err != nil {
		return cl.Errorf(c, "%w", err)
	}
	if cl.Auth != nil {
		cl.Auth(req)
	}
	req.Header.Set("Accept", "application/json")
	if c.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := cl.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &helpdesk.RetryableError{Err: cl.Errorf(c, "%w", err)}
	}
	defer resp.Body.Close()
	limit := cl.MaxResponse
	if limit <= 0 {
		limit = DefaultMaxResponse
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return &helpdesk.RetryableError{Err: cl.Errorf(c, "read answer: %w", err), Status: resp.StatusCode}
	}
	explain := ""
	if cl.Explain != nil && (resp.StatusCode < 200 || resp.StatusCode >= 300) {
		if msg := strings.TrimSpace(cl.Explain(data)); msg != "" {
			explain = ": " + Excerpt(msg, 200)
		}
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return cl.Errorf(c, "decode answer: %w", err)
		}
		return nil
	case s == http.StatusTooManyRequests || s >= 500:
		now := time.Now
		if cl.Clock != nil {
			now = cl.Clock
		}
		return &helpdesk.RetryableError{Err: cl.Errorf(c, "%s%s", resp.Status, explain), Status: s,
			After: helpdesk.RetryAfter(resp.Header.Get("Retry-After"), now())}
	case s == http.StatusNotFound:
		return cl.Errorf(c, "%s%s: %w", resp.Status, explain, helpdesk.ErrNotFound)
	case cl.Status[s] != nil:
		return cl.Errorf(c, "%s%s: %w", resp.Status, explain, cl.Status[s])
	default:
		return cl.Errorf(c, "%s%s", resp.Status, explain)
	}
}

// Excerpt cuts s to at most n bytes without splitting a character.
func Excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// NonBlank is names (tags) trimmed, without the blank ones.
func NonBlank(names []string) []string {
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
