package freshdesk

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// call is one REST request below /api/v2 (path with query).
type call = rest.Call

// newClient is the adapter's REST client: Basic {api key}:X.
func newClient(base, key string, hc *http.Client, clock func() time.Time) *rest.Client {
	cl := &rest.Client{Name: Name, NoBase: errNoBaseURL, HTTP: hc, Clock: clock, Explain: apiError,
		Auth: func(r *http.Request) { r.SetBasicAuth(key, "X") }}
	if base != "" {
		cl.Base = base + "/api/v2"
	}
	return cl
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
	return msg
}
