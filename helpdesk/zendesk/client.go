package zendesk

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// maxResponse caps how much of an answer is read (an incremental export page of 1000
// tickets is a few MB).
const maxResponse = 32 << 20

// errConflict: Zendesk refused a safe update because the ticket changed since the
// updated_stamp sent (409); re-read and try again.
var errConflict = errors.New("zendesk: the ticket changed meanwhile (409)")

// call is one REST request below /api/v2 (path with query).
type call = rest.Call

// newClient is the adapter's REST client: Basic {email}/token:{token}; 409 wraps
// errConflict.
func newClient(base, auth string, hc *http.Client, clock func() time.Time) *rest.Client {
	cl := &rest.Client{Name: Name, NoBase: errNoBaseURL, HTTP: hc, Clock: clock, MaxResponse: maxResponse,
		Explain: apiError, Status: map[int]error{http.StatusConflict: errConflict}}
	if base != "" {
		cl.Base = base + "/api/v2"
	}
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(auth))
	cl.Auth = func(r *http.Request) { r.Header.Set("Authorization", header) }
	return cl
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
	if s, ok := e.Error.(string); ok && e.Description == "" {
		return s
	}
	return e.Description
}
