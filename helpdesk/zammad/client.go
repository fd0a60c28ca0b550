package zammad

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/monobunt/slaguard/helpdesk"
)

// maxResponse caps how much of an answer is read; Zammad's answers here are small.
const maxResponse = 4 << 20

// call is one REST request: what it is for (named in errors) and where it goes.
type call struct {
	ticket string // "" for calls about no ticket
	what   string // "add tag \"x\"", "update ticket"
	method string
	path   string // below /api/v1
	body   any
}

func (c call) errorf(format string, args ...any) error {
	prefix := "zammad: "
	if c.ticket != "" {
		prefix += "ticket " + c.ticket + ": "
	}
	return fmt.Errorf(prefix+c.what+": "+format, args...)
}

// do sends c and decodes a 2xx answer into out (when not nil). 429, 5xx and transport
// failures are *helpdesk.RetryableError; 404 wraps helpdesk.ErrNotFound; other answers
// are plain errors.
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
	req, err := http.NewRequestWithContext(ctx, c.method, a.base+"/api/v1"+c.path, body)
	if err != nil {
		return c.errorf("%w", err)
	}
	req.Header.Set("Authorization", "Token token="+a.token)
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
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return c.errorf("decode answer: %w", err)
		}
		return nil
	case s == http.StatusTooManyRequests || s >= 500:
		return &helpdesk.RetryableError{
			Err:    c.errorf("%s%s", resp.Status, zammadError(data)),
			Status: s,
			After:  helpdesk.RetryAfter(resp.Header.Get("Retry-After"), a.clock()),
		}
	case s == http.StatusNotFound:
		return c.errorf("%s%s: %w", resp.Status, zammadError(data), helpdesk.ErrNotFound)
	default:
		return c.errorf("%s%s", resp.Status, zammadError(data))
	}
}

// zammadError is Zammad's own explanation from an error answer ({"error": "..."}).
func zammadError(body []byte) string {
	var e struct {
		Error      string `json:"error"`
		ErrorHuman string `json:"error_human"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := e.ErrorHuman
	if msg == "" {
		msg = e.Error
	}
	if msg == "" {
		return ""
	}
	return ": " + excerpt(msg, 200)
}
