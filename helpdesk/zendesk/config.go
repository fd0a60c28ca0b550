package zendesk

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
const Name = "zendesk"

// DefaultReplayWindow is how far a delivery's signature timestamp may be from the clock,
// either way, before the delivery is refused as stale. Zendesk signs each attempt when it
// sends it, so five minutes is ample for its retries and a clock off by a minute.
const DefaultReplayWindow = 5 * time.Minute

// TimeFieldTitle is the title of the Time Tracking app's ticket field that holds the
// total time spent on a ticket, in seconds.
const TimeFieldTitle = "Total time spent (sec)"

// Default status names. Zendesk's statuses are fixed (custom statuses map onto them);
// "pending" is waiting on the customer. "hold" (waiting on a third party) runs the clocks.
var (
	DefaultPausedStatuses = []string{"pending"}
	DefaultClosedStatuses = []string{"solved", "closed"}
)

// Config is one Zendesk account. BaseURL, Email and Token are needed to read tickets and
// write back; WebhookSecret to accept webhooks.
type Config struct {
	// BaseURL is the account's root ("https://example.zendesk.com"), without /api/v2.
	BaseURL string
	// Email and Token are the API user and its API token (Basic {email}/token:{token}).
	Email string
	Token string
	// WebhookSecret is the webhook's signing secret. Empty makes Verify refuse every
	// delivery.
	WebhookSecret string
	// ReplayWindow bounds the age (and future skew) of a delivery's signature timestamp;
	// 0 means DefaultReplayWindow.
	ReplayWindow time.Duration
	// PausedStatuses and ClosedStatuses override the defaults (case-insensitive).
	PausedStatuses []string
	ClosedStatuses []string
	// TimeFieldID is the id of the "Total time spent (sec)" ticket field; 0 looks it up
	// by its title the first time time is read.
	TimeFieldID int64
	// HTTPClient makes the REST calls; nil means a client with a 15 s timeout.
	HTTPClient *http.Client
	// Clock reads the time (replay window, Retry-After dates); nil means time.Now.
	Clock func() time.Time
}

// Adapter is a Zendesk account as a helpdesk.Adapter. It is safe for concurrent use.
type Adapter struct {
	base   string
	auth   string // "email/token:token", for basic auth
	secret []byte
	window time.Duration
	paused map[string]bool
	closed map[string]bool
	http   *http.Client
	clock  func() time.Time
	api    *rest.Client

	timeField fieldCache
}

// New checks cfg and returns the adapter. BaseURL may be empty for an adapter that only
// verifies and parses webhooks; calls to the API then fail.
func New(cfg Config) (*Adapter, error) {
	a := &Adapter{
		auth: cfg.Email + "/token:" + cfg.Token, secret: []byte(cfg.WebhookSecret), window: cfg.ReplayWindow,
		paused: lowerSet(cfg.PausedStatuses, DefaultPausedStatuses),
		closed: lowerSet(cfg.ClosedStatuses, DefaultClosedStatuses),
		http:   cfg.HTTPClient, clock: cfg.Clock,
	}
	a.timeField.id = cfg.TimeFieldID
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("zendesk: base url %q: want https://<subdomain>.zendesk.com", cfg.BaseURL)
		}
		if cfg.Email == "" || cfg.Token == "" {
			return nil, errors.New("zendesk: the API needs an e-mail and an API token")
		}
		a.base = strings.TrimRight(cfg.BaseURL, "/")
	}
	if a.window <= 0 {
		a.window = DefaultReplayWindow
	}
	if a.http == nil {
		a.http = &http.Client{Timeout: 15 * time.Second}
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	a.api = newClient(a.base, a.auth, a.http, a.clock)
	return a, nil
}

// Name returns "zendesk".
func (a *Adapter) Name() string { return Name }

// HasSecret reports whether a webhook secret is configured; without one Verify rejects
// every delivery.
func (a *Adapter) HasSecret() bool { return len(a.secret) > 0 }

// ReplayWindow is how old (or how far ahead) a signature timestamp may be.
func (a *Adapter) ReplayWindow() time.Duration { return a.window }

// MergesWrites reports true: a ticket's pending marks go out as one update (Zendesk
// allows 30 updates per ticket per 10 minutes).
func (a *Adapter) MergesWrites() bool { return true }

// priority maps Zendesk's priority (REST "high", event "HIGH", trigger "High", or the
// German display name) to the policy's. None or unknown is medium, Zendesk's normal.
func priority(name string) sla.Priority {
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

// writeName is the Zendesk priority for p.
func writeName(p sla.Priority) (string, error) {
	switch p {
	case sla.Low:
		return "low", nil
	case sla.Medium:
		return "normal", nil
	case sla.High:
		return "high", nil
	case sla.Critical:
		return "urgent", nil
	}
	return "", fmt.Errorf("zendesk: no Zendesk priority for %q", p)
}

// statusName maps a status as any rendering shows it to Zendesk's REST name.
func statusName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "neu":
		return "new"
	case "offen":
		return "open"
	case "wartend":
		return "pending"
	case "angehalten":
		return "hold"
	case "gelöst":
		return "solved"
	case "geschlossen":
		return "closed"
	}
	return s
}

func lowerSet(names, def []string) map[string]bool {
	if names == nil {
		names = def
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(strings.TrimSpace(n))] = true
	}
	return m
}

var errNoBaseURL = errors.New("zendesk: no API configured (ZENDESK_URL, ZENDESK_EMAIL, ZENDESK_TOKEN)")
