package zammad

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// maxResponse caps how much of an answer is read; Zammad's answers here are small.
const maxResponse = 4 << 20

// call is one REST request below /api/v1.
type call = rest.Call

// newClient is the adapter's REST client: Authorization: Token token=….
func newClient(base, token string, hc *http.Client, clock func() time.Time) *rest.Client {
	cl := &rest.Client{Name: Name, NoBase: errNoBaseURL, HTTP: hc, Clock: clock, MaxResponse: maxResponse,
		Explain: zammadError, Auth: func(r *http.Request) { r.Header.Set("Authorization", "Token token="+token) }}
	if base != "" {
		cl.Base = base + "/api/v1"
	}
	return cl
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
	if e.ErrorHuman != "" {
		return e.ErrorHuman
	}
	return e.Error
}
