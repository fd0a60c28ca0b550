package freshdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
)

// maxResponse caps how much of an answer is read.
const maxResponse = 16 << 20

// call is one REST request: what it is for (named in errors) and where it goes.
type call struct {
	ticket string
	what   string
	method string
	path   string // below /api/v2, with query
	body   any
}

func (c call) errorf(format string, args ...any) error {
	prefix := "freshdesk: "
	if c.ticket != "" {
		prefix += "ticket " + c.ticket + ": "
	}
	return fmt.Errorf(prefix+c.what+": "+format, args...)
}

// do sends c and decodes a 2xx answer into out (when not nil). 429, 5xx and transport
// failures are *helpdesk.RetryableError (After from Retry-After); 404 wraps
// helpdesk.ErrNotFound; other answers are plain errors.
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
	req.SetBasicAuth(a.key, "X")
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
	default:
		return c.errorf("%s%s", resp.Status, apiError(data))
	}
}

// apiError is Freshdesk's own explanation ({"description": "...", "errors": [{"field",
// "message", "code"}]}).
func apiError(body []byte) string {
	var e struct {
		Description string `json:"description"`
		Code        string `json:"code"`
		Message     string `json:"message"`
		Errors      []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := strings.TrimSpace(e.Description + " " + e.Code + " " + e.Message)
	for _, f := range e.Errors {
		msg += "; " + f.Field + ": " + f.Message
	}
	if msg == "" {
		return ""
	}
	return ": " + excerpt(msg, 200)
}
