package zendesk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/monobunt/slaguard/helpdesk"
)

// maxResponse caps how much of an answer is read (an incremental export page of 1000
// tickets is a few MB).
const maxResponse = 32 << 20

// errConflict: Zendesk refused a safe update because the ticket changed since the
// updated_stamp sent (409); re-read and try again.
var errConflict = errors.New("zendesk: the ticket changed meanwhile (409)")

// call is one REST request: what it is for (named in errors) and where it goes.
type call struct {
	ticket string
	what   string
	method string
	path   string // below /api/v2, with query
	body   any
}

func (c call) errorf(format string, args ...any) error {
	prefix := "zendesk: "
	if c.ticket != "" {
		prefix += "ticket " + c.ticket + ": "
	}
	return fmt.Errorf(prefix+c.what+": "+format, args...)
}

// do sends c and decodes a 2xx answer into out (when not nil). 429, 5xx and transport
// failures are *helpdesk.RetryableError (After from Retry-After); 404 wraps
// helpdesk.ErrNotFound; 409 wraps errConflict; other answers are plain errors.
func (a *Adapter) do(ctx context.Context, c call, out any) error {
	if a.base == "" {
		return c.errorf("%w", errNoBaseURL)
	}
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return c.errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, a.base+"/api/v2"+c.path, body)
	if err != nil {
		return c.errorf("%w", err)
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.auth)))
	req.Header.Set("Accept", "application/json")
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return &helpdesk.RetryableError{Err: c.errorf("%w", err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return &helpdesk.RetryableError{Err: c.errorf("read answer: %w", err), Status: resp.StatusCode}
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return c.errorf("decode answer: %w", err)
		}
		return nil
	case s == http.StatusTooManyRequests || s >= 500:
		return &helpdesk.RetryableError{Err: c.errorf("%s%s", resp.Status, apiError(data)), Status: s,
			After: helpdesk.RetryAfter(resp.Header.Get("Retry-After"), a.clock())}
	case s == http.StatusNotFound:
		return c.errorf("%s%s: %w", resp.Status, apiError(data), helpdesk.ErrNotFound)
	case s == http.StatusConflict:
		return c.errorf("%s%s: %w", resp.Status, apiError(data), errConflict)
	default:
		return c.errorf("%s%s", resp.Status, apiError(data))
	}
}

// apiError is Zendesk's own explanation ({"error": "...", "description": "..."}).
func apiError(body []byte) string {
	var e struct {
		Error       any    `json:"error"`
		Description string `json:"description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := e.Description
	if s, ok := e.Error.(string); ok && msg == "" {
		msg = s
	}
	if msg == "" {
		return ""
	}
	return ": " + excerpt(msg, 200)
}
