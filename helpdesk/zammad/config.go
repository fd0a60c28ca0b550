package zammad

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/internal/rest"
	"github.com/monobunt/slaguard/sla"
)

// Name is the adapter's name in URLs, task ids and metrics.
const Name = "zammad"

// CriticalTag marks a ticket as critical in an instance without a critical priority:
// slaguard then writes the highest priority it maps to high plus this tag.
const CriticalTag = sla.CriticalTag

// Default state and priority names of a fresh Zammad instance.
var (
	DefaultPausedStates = []string{"pending reminder", "pending close"}
	DefaultClosedStates = []string{"closed", "merged", "removed"}
	DefaultPriorities   = map[string]sla.Priority{
		"1 low":    sla.Low,
		"2 normal": sla.Medium,
		"3 high":   sla.High,
	}
)

// Config is one Zammad instance. Only BaseURL and Token are needed for write-back and
// WebhookSecret for accepting webhooks; everything else has Zammad's defaults.
type Config struct {
	// BaseURL is the instance's root ("https://helpdesk.example"), without /api/v1.
	BaseURL string
	// Token is the access token slaguard writes with (Authorization: Token token=…).
	Token string
	// WebhookSecret is the webhook's HMAC-SHA1 signature token. Empty makes Verify
	// refuse every delivery; the webhook layer decides whether unsigned ones are allowed.
	WebhookSecret string
	// PausedStates are the state names in which the SLA clocks stand still
	// (compared case-insensitively). Nil means DefaultPausedStates.
	PausedStates []string
	// ClosedStates are the state names that count as solved. Nil means DefaultClosedStates.
	ClosedStates []string
	// Priorities maps Zammad priority names to the policy's priorities (case-insensitive).
	// Nil means DefaultPriorities. Names not in the map are guessed from their wording.
	Priorities map[string]sla.Priority
	// CriticalPriorityName is the Zammad priority written for critical. Empty: the
	// instance has none, so critical is written as the high priority plus CriticalTag.
	CriticalPriorityName string
	// HTTPClient makes the REST calls; nil means a client with a 15 s timeout.
	HTTPClient *http.Client
	// Clock reads the time (for Retry-After dates); nil means time.Now.
	Clock func() time.Time
}

// Adapter is a Zammad instance as a helpdesk.Adapter. It is safe for concurrent use.
type Adapter struct {
	base   string
	token  string
	secret []byte
	macs   sync.Pool // of HMAC-SHA1 states keyed with secret, reset and reused by Verify
	paused map[string]bool
	closed map[string]bool
	http   *http.Client
	clock  func() time.Time
	api    *rest.Client

	mu       sync.RWMutex
	prio     map[string]sla.Priority // lower-cased Zammad name → policy priority
	names    map[sla.Priority]string // policy priority → Zammad name to write
	critical string                  // Zammad name for critical, "" when the instance has none
}

// New checks cfg and returns the adapter. BaseURL may be empty for an adapter that only
// verifies and parses webhooks; Apply then fails.
func New(cfg Config) (*Adapter, error) {
	a := &Adapter{
		token:    cfg.Token,
		secret:   []byte(cfg.WebhookSecret),
		paused:   lowerSet(cfg.PausedStates, DefaultPausedStates),
		closed:   lowerSet(cfg.ClosedStates, DefaultClosedStates),
		http:     cfg.HTTPClient,
		clock:    cfg.Clock,
		critical: strings.TrimSpace(cfg.CriticalPriorityName),
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("zammad: base url %q: want http(s)://host", cfg.BaseURL)
		}
		a.base = strings.TrimRight(cfg.BaseURL, "/")
	}
	if a.http == nil {
		a.http = &http.Client{Timeout: 15 * time.Second}
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	prios := cfg.Priorities
	if prios == nil {
		prios = DefaultPriorities
	}
	if err := a.setPriorities(prios); err != nil {
		return nil, err
	}
	a.api = newClient(a.base, a.token, a.http, a.clock)
	return a, nil
}

// Name returns "zammad".
func (a *Adapter) Name() string { return Name }

// HasSecret reports whether a webhook secret is configured; without one Verify rejects
// every delivery.
func (a *Adapter) HasSecret() bool { return len(a.secret) > 0 }

func (a *Adapter) setPriorities(m map[string]sla.Priority) error {
	prio := make(map[string]sla.Priority, len(m))
	names := make(map[sla.Priority]string)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic choice when two names map to one priority
	for _, k := range keys {
		p := m[k]
		if !p.Valid() {
			return fmt.Errorf("zammad: priority %q maps to unknown priority %q", k, p)
		}
		prio[strings.ToLower(strings.TrimSpace(k))] = p
		if _, ok := names[p]; !ok {
			names[p] = k
		}
	}
	for _, p := range []sla.Priority{sla.Low, sla.Medium, sla.High} {
		if names[p] == "" {
			return fmt.Errorf("zammad: no Zammad priority maps to %s", p)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.prio, a.names = prio, names
	if a.critical == "" && names[sla.Critical] != "" {
		a.critical = names[sla.Critical]
	}
	return nil
}

// priority maps a Zammad priority name to the policy's. Names outside the map are read
// by their wording ("4 urgent", "critical"), then by Zammad's leading digit; anything
// else is medium, Zammad's own default.
func (a *Adapter) priority(name string) sla.Priority {
	n := strings.ToLower(strings.TrimSpace(name))
	a.mu.RLock()
	p, ok := a.prio[n]
	a.mu.RUnlock()
	if ok {
		return p
	}
	if looksCritical(n) {
		return sla.Critical
	}
	switch {
	case strings.HasPrefix(n, "1"):
		return sla.Low
	case strings.HasPrefix(n, "3"):
		return sla.High
	}
	return sla.Medium
}

func looksCritical(lowerName string) bool {
	return strings.Contains(lowerName, "critical") || strings.Contains(lowerName, "urgent") ||
		strings.HasPrefix(lowerName, "4 ")
}

// writeName is the Zammad priority to write for p and whether CriticalTag must go with it.
func (a *Adapter) writeName(p sla.Priority) (name string, tag bool, err error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if p == sla.Critical {
		if a.critical != "" {
			return a.critical, false, nil
		}
		return a.names[sla.High], true, nil
	}
	if n := a.names[p]; n != "" {
		return n, false, nil
	}
	return "", false, fmt.Errorf("zammad: no Zammad priority for %q", p)
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

var errNoBaseURL = errors.New("zammad: no base url configured")
