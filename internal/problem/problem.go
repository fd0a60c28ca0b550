// Package problem writes RFC 9457 problem details (application/problem+json) and binds
// request bodies strictly: unknown fields, trailing data, oversized bodies and values that
// fail validation all become a problem that names each bad field by its JSON name.
//
// It never logs: the HTTP edge decides what is worth a log line.
package problem

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ContentType is the media type of every error answer.
const ContentType = "application/problem+json"

// FieldError names one bad field of a request by its JSON path and says why it is bad.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Problem is an RFC 9457 problem detail. It is also an error, so handlers can return it
// and let the echo error handler write it.
type Problem struct {
	Type     string       `json:"type,omitempty"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	// Extra members (e.g. the id of a conflicting contract) go here; they are merged
	// into the top-level object when written.
	Extra map[string]any `json:"-"`
	// RetryAfter, when positive, is sent as the Retry-After header (seconds).
	RetryAfter int `json:"-"`
}

// Error makes a Problem usable as an error.
func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Title)
}

// New returns a problem with the standard title of status and the given detail.
func New(status int, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}

// Fields returns a problem for a request whose fields are bad; status is 400 or 422.
func Fields(status int, detail string, errs ...FieldError) *Problem {
	p := New(status, detail)
	p.Type = "https://slaguard.monobunt.at/problems/invalid-request"
	p.Errors = errs
	return p
}

// Write sends p as application/problem+json.
func Write(c echo.Context, p *Problem) error {
	if p.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", fmt.Sprint(p.RetryAfter))
	}
	body := map[string]any{"title": p.Title, "status": p.Status}
	if p.Type != "" {
		body["type"] = p.Type
	}
	if p.Detail != "" {
		body["detail"] = p.Detail
	}
	if p.Instance != "" {
		body["instance"] = p.Instance
	} else {
		body["instance"] = c.Request().URL.Path
	}
	if len(p.Errors) > 0 {
		body["errors"] = p.Errors
	}
	for k, v := range p.Extra {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	// echo keeps a Content-Type that is already set.
	c.Response().Header().Set(echo.HeaderContentType, ContentType)
	return c.JSON(p.Status, body)
}

// ErrorHandler is echo's HTTPErrorHandler for the whole service: every error leaves as
// problem+json. Problems are written as they are, echo's own errors (404, 405, 413 from
// the body limit) keep their status, and anything else is a 500 whose detail is hidden.
func ErrorHandler(log func(error, echo.Context)) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var p *Problem
		var he *echo.HTTPError
		switch {
		case errors.As(err, &p):
		case errors.As(err, &he):
			p = New(he.Code, "")
			if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
				p.Detail = msg
			}
		default:
			if log != nil {
				log(err, c)
			}
			p = New(http.StatusInternalServerError, "an internal error occurred; it has been logged")
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = Write(c, p)
	}
}
