package freshdesk

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/sla"
)

// Name is the adapter's name in URLs, task ids and metrics.
const Name = "freshdesk"

// HeaderSecret is the custom header the automation rule sets to the shared secret.
const HeaderSecret = "X-Webhook-Token"

// Freshdesk's built-in status codes.
const (
	StatusOpen     = 2
	StatusPending  = 3
	StatusResolved = 4
	StatusClosed   = 5
)

// Default status codes that pause or close the clocks. 3 Pending waits on the customer;
// accounts that added "Waiting on Customer" as a custom status list its code too.
var (
	DefaultPausedStatuses = []int{StatusPending}
	DefaultClosedStatuses = []int{StatusResolved, StatusClosed}
)

// Config is one Freshdesk account.
type Config struct {
	// BaseURL is the account's root ("https://example.freshdesk.com"), without /api/v2.
	BaseURL string
	// APIKey is the API key of the agent slaguard reads and writes as (Basic apikey:X).
	APIKey string
	// WebhookSecret is the shared secret the automation rule sends in X-Webhook-Token.
	// Empty makes Verify refuse every delivery.
	WebhookSecret string
	// PausedStatuses and ClosedStatuses override the defaults.
	PausedStatuses []int
	ClosedStatuses []int
	// HTTPClient makes the REST calls; nil means a client with a 15 s timeout.
	HTTPClient *http.Client
	// Clock reads the time (Retry-After dates); nil means time.Now.
	Clock func() time.Time
	// ListPageSize and MaxListPage are the ticket list's page size and page cap for the
	// catch-up (0: Freshdesk's 100 and 300).
	ListPageSize, MaxListPage int
}

// Adapter is a Freshdesk account as a helpdesk.Adapter. It is safe for concurrent use.
type Adapter struct {
	base   string
	key    string
	secret []byte
	paused map[int]bool
	closed map[int]bool
	http   *http.Client
	clock  func() time.Time
	api    *rest.Client

	pageSize, maxPage int
}

// New checks cfg and returns the adapter. BaseURL may be empty for an adapter that only
// verifies and parses webhooks; reading back and writing then fail or are skipped.
func New(cfg Config) (*Adapter, error) {
	a := &Adapter{key: cfg.APIKey, secret: []byte(cfg.WebhookSecret), http: cfg.HTTPClient, clock: cfg.Clock,
		paused: intSet(cfg.PausedStatuses, DefaultPausedStatuses), closed: intSet(cfg.ClosedStatuses, DefaultClosedStatuses)}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("freshdesk: base url %q: want https://<domain>.freshdesk.com", cfg.BaseURL)
		}
		if cfg.APIKey == "" {
			return nil, errors.New("freshdesk: the API needs an API key")
		}
		a.base = strings.TrimRight(cfg.BaseURL, "/")
	}
	if a.http == nil {
		a.http = &http.Client{Timeout: 15 * time.Second}
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	a.pageSize, a.maxPage = cfg.ListPageSize, cfg.MaxListPage
	if a.pageSize <= 0 {
		a.pageSize = ListPageSize
	}
	if a.maxPage <= 0 {
		a.maxPage = MaxListPage
	}
	a.api = newClient(a.base, a.key, a.http, a.clock)
	return a, nil
}

// Name returns "freshdesk".
func (a *Adapter) Name() string { return Name }

// HasSecret reports whether a shared secret is configured.
func (a *Adapter) HasSecret() bool { return len(a.secret) > 0 }

// priority maps Freshdesk's priority code (1 Low … 4 Urgent) or name to the policy's.
func priority(code int, name string) sla.Priority {
	switch code {
	case 1:
		return sla.Low
	case 2:
		return sla.Medium
	case 3:
		return sla.High
	case 4:
		return sla.Critical
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "low", "niedrig":
		return sla.Low
	case "high", "hoch":
		return sla.High
	case "urgent", "dringend":
		return sla.Critical
	}
	return sla.Medium
}

var priorityNames = map[int]string{1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}

// priorityCode is the Freshdesk priority for p.
func priorityCode(p sla.Priority) (int, error) {
	switch p {
	case sla.Low:
		return 1, nil
	case sla.Medium:
		return 2, nil
	case sla.High:
		return 3, nil
	case sla.Critical:
		return 4, nil
	}
	return 0, fmt.Errorf("freshdesk: no Freshdesk priority for %q", p)
}

var statusNames = map[int]string{StatusOpen: "open", StatusPending: "pending", StatusResolved: "resolved", StatusClosed: "closed"}

var statusCodes = map[string]int{"open": StatusOpen, "offen": StatusOpen, "pending": StatusPending, "wartend": StatusPending,
	"resolved": StatusResolved, "gelöst": StatusResolved, "closed": StatusClosed, "geschlossen": StatusClosed}

func intSet(vals, def []int) map[int]bool {
	if vals == nil {
		vals = def
	}
	m := make(map[int]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

var errNoBaseURL = errors.New("freshdesk: no API configured (FRESHDESK_URL, FRESHDESK_API_KEY)")
