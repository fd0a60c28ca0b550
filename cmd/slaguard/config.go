package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/redisurl"
)

// Config is every setting of the service, read from environment variables and flags of
// the same meaning (a flag wins over its variable). It is validated as a whole: Load
// reports every bad variable at once.
type Config struct {
	Addr                string
	RedisURL            string
	AdminTokens         []string
	ZammadURL           string
	ZammadToken         string
	ZammadWebhookSecret string
	ZammadCritical      string
	InsecureWebhooks    bool
	PausedStates        []string
	ClosedStates        []string
	RulesFile           string
	ConfirmationFile    string
	ImplementationTypes []string
	LogLevel            string
	Concurrency         int
	ShutdownTimeout     time.Duration
	TimerInterval       time.Duration
	WebhookBodyLimit    int64
	WriteMaxRetry       int
	ReconcileInterval   time.Duration
	ReconcileRate       float64
	WriteConcurrency    int
	TimerConcurrency    int
	IngestReplicas      int
	MetricsAddr         string
	MetricsToken        string
	SessionTTL          time.Duration
	// SMTPURL and SMTPFrom send the contracts' e-mail notifications (notify.go).
	SMTPURL  string
	SMTPFrom string
	// Zendesk and Freshdesk, each served beside Zammad when configured (helpdesks.go).
	helpdeskSettings
}

// setting is one row of the configuration table: the README's table, the flags, the
// validation and the masked print-out all come from this one list.
type setting struct {
	env, flag, def, help string
	secret               bool
	set                  func(c *Config, v string) error
	show                 func(c *Config) string
}

var settings = []setting{
	{env: "SLAGUARD_ADDR", flag: "addr", def: ":8080", help: "HTTP listen address",
		set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port or :port")
			}
			c.Addr = v
			return nil
		}, show: func(c *Config) string { return c.Addr }},
	{env: "REDIS_URL", flag: "redis-url", def: "", help: "Redis to use: redis://[[user]:password@]host:port[/db] (rediss:// for TLS), redis-sentinel://[[user]:password@]host:port[,host:port…]/mastername[?db=N&sentinel_password=…] or redis-cluster://[[user]:password@]host:port[,host:port…] (see \"Redis: one server, Sentinel or Cluster\"); empty starts an embedded in-memory Redis whose data does not survive a restart", secret: true,
		set: func(c *Config, v string) error {
			if v != "" {
				if _, err := redisurl.Parse(v); err != nil {
					return err
				}
			}
			c.RedisURL = v
			return nil
		}, show: func(c *Config) string { return redisurl.Redact(c.RedisURL) }},
	{env: "SLAGUARD_INGEST_REPLICAS", flag: "ingest-replicas", def: "0", help: "replicas that must hold a webhook's event (Redis WAIT, at most 1 s) before it is answered 202, else 503 and the helpdesk delivers again; 0 answers once the master has it (see \"Redis: one server, Sentinel or Cluster\"); not with redis-cluster://",
		set:  func(c *Config, v string) (err error) { c.IngestReplicas, err = parseInt(v, 0, 5); return },
		show: func(c *Config) string { return strconv.Itoa(c.IngestReplicas) }},
	{env: "SLAGUARD_ADMIN_TOKENS", flag: "admin-tokens", def: "", help: "comma-separated bearer tokens for /api/v1 and /admin/queues, each name:token (the name, never the token, shows in the log and the contracts' audit trail) or a bare token (named token-1, token-2, …); empty locks the admin API (every request 401)", secret: true,
		set: func(c *Config, v string) error {
			c.AdminTokens = splitList(v)
			seen := map[string]bool{}
			for i, t := range c.AdminTokens {
				tok := adminauth.ParseToken(t, i+1)
				if len(tok.Secret) < 8 {
					return fmt.Errorf("token %d (%s) is shorter than 8 characters", i+1, tok.Name)
				}
				if seen[tok.Name] {
					return fmt.Errorf("the name %s is given to two tokens", tok.Name)
				}
				seen[tok.Name] = true
			}
			return nil
		}, show: func(c *Config) string { return maskTokens(c.AdminTokens) }},
	{env: "ZAMMAD_URL", flag: "zammad-url", def: "", help: "base URL of the Zammad instance (https://helpdesk.example.at); empty = write-backs are logged as a dry run",
		set: func(c *Config, v string) error {
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return fmt.Errorf("must be an http(s) URL")
				}
			}
			c.ZammadURL = strings.TrimRight(v, "/")
			return nil
		}, show: func(c *Config) string { return c.ZammadURL }},
	{env: "ZAMMAD_TOKEN", flag: "zammad-token", def: "", help: "Zammad access token of the user slaguard writes as (needs ticket.agent on the supported groups)", secret: true,
		set:  func(c *Config, v string) error { c.ZammadToken = v; return nil },
		show: func(c *Config) string { return mask(c.ZammadToken) }},
	{env: "ZAMMAD_WEBHOOK_SECRET", flag: "zammad-webhook-secret", def: "", help: "HMAC-SHA1 signature token of the Zammad webhook; without it (and without SLAGUARD_INSECURE_WEBHOOKS=1) the webhook route is not mounted", secret: true,
		set:  func(c *Config, v string) error { c.ZammadWebhookSecret = v; return nil },
		show: func(c *Config) string { return mask(c.ZammadWebhookSecret) }},
	{env: "ZAMMAD_CRITICAL_PRIORITY", flag: "zammad-critical-priority", def: "", help: "name of a Zammad priority for critical tickets, if the instance has one; empty writes \"3 high\" plus the sla-critical tag",
		set:  func(c *Config, v string) error { c.ZammadCritical = v; return nil },
		show: func(c *Config) string { return c.ZammadCritical }},
	{env: "ZENDESK_URL", flag: "zendesk-url", def: "", help: "Zendesk account (https://example.zendesk.com); with ZENDESK_EMAIL and ZENDESK_TOKEN slaguard reads Zendesk tickets and writes back (see \"Zendesk\")",
		set: func(c *Config, v string) error { c.ZendeskURL = strings.TrimRight(v, "/"); return checkURL(v) }, show: func(c *Config) string { return c.ZendeskURL }},
	{env: "ZENDESK_EMAIL", flag: "zendesk-email", def: "", help: "e-mail of the Zendesk agent slaguard works as",
		set: func(c *Config, v string) error { c.ZendeskEmail = v; return nil }, show: func(c *Config) string { return c.ZendeskEmail }},
	{env: "ZENDESK_TOKEN", flag: "zendesk-token", def: "", help: "Zendesk API token (Admin Center > Apps and integrations > Zendesk API)", secret: true,
		set: func(c *Config, v string) error { c.ZendeskToken = v; return nil }, show: func(c *Config) string { return mask(c.ZendeskToken) }},
	{env: "ZENDESK_WEBHOOK_SECRET", flag: "zendesk-webhook-secret", def: "", help: "signing secret of the Zendesk webhook; without it POST /webhooks/zendesk is not mounted", secret: true,
		set: func(c *Config, v string) error { c.ZendeskWebhookSecret = v; return nil }, show: func(c *Config) string { return mask(c.ZendeskWebhookSecret) }},
	{env: "FRESHDESK_URL", flag: "freshdesk-url", def: "", help: "Freshdesk account (https://example.freshdesk.com); with FRESHDESK_API_KEY slaguard reads Freshdesk tickets and writes back (see \"Freshdesk\")",
		set: func(c *Config, v string) error { c.FreshdeskURL = strings.TrimRight(v, "/"); return checkURL(v) }, show: func(c *Config) string { return c.FreshdeskURL }},
	{env: "FRESHDESK_API_KEY", flag: "freshdesk-api-key", def: "", help: "API key of the Freshdesk agent slaguard works as", secret: true,
		set: func(c *Config, v string) error { c.FreshdeskAPIKey = v; return nil }, show: func(c *Config) string { return mask(c.FreshdeskAPIKey) }},
	{env: "FRESHDESK_WEBHOOK_SECRET", flag: "freshdesk-webhook-secret", def: "", help: "shared secret the Freshdesk automation rule sends in X-Webhook-Token; without it POST /webhooks/freshdesk is not mounted", secret: true,
		set: func(c *Config, v string) error { c.FreshdeskWebhookSecret = v; return nil }, show: func(c *Config) string { return mask(c.FreshdeskWebhookSecret) }},
	{env: "SLAGUARD_INSECURE_WEBHOOKS", flag: "insecure-webhooks", def: "0", help: "1 accepts unsigned webhooks when no secret is set (local trials only)",
		set:  func(c *Config, v string) (err error) { c.InsecureWebhooks, err = parseBool(v); return },
		show: func(c *Config) string { return fmt.Sprint(boolInt(c.InsecureWebhooks)) }},
	{env: "SLAGUARD_PAUSED_STATES", flag: "paused-states", def: "pending reminder,pending close", help: "helpdesk states in which the SLA clocks stand still (waiting on customer)",
		set:  func(c *Config, v string) error { c.PausedStates = splitList(v); return nil },
		show: func(c *Config) string { return strings.Join(c.PausedStates, ",") }},
	{env: "SLAGUARD_CLOSED_STATES", flag: "closed-states", def: "closed,merged,removed", help: "helpdesk states that count as solved/closed",
		set: func(c *Config, v string) error {
			c.ClosedStates = splitList(v)
			if len(c.ClosedStates) == 0 {
				return fmt.Errorf("must name at least one state")
			}
			return nil
		}, show: func(c *Config) string { return strings.Join(c.ClosedStates, ",") }},
	{env: "SLAGUARD_RULES_FILE", flag: "rules-file", def: "", help: "YAML file of priority-correction rules; empty uses the built-in defaults",
		set:  func(c *Config, v string) error { c.RulesFile = v; return fileOrEmpty(v) },
		show: func(c *Config) string { return c.RulesFile }},
	{env: "SLAGUARD_CONFIRMATION_TEMPLATE", flag: "confirmation-template", def: "", help: "text/template file for the real-time ticket confirmation; empty uses the built-in German text",
		set:  func(c *Config, v string) error { c.ConfirmationFile = v; return fileOrEmpty(v) },
		show: func(c *Config) string { return c.ConfirmationFile }},
	{env: "SLAGUARD_IMPLEMENTATION_TYPES", flag: "implementation-types", def: "", help: "comma-separated time-accounting type ids billed as implementation",
		set:  func(c *Config, v string) error { c.ImplementationTypes = splitList(v); return nil },
		show: func(c *Config) string { return strings.Join(c.ImplementationTypes, ",") }},
	{env: "SLAGUARD_LOG_LEVEL", flag: "log-level", def: "info", help: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			switch strings.ToLower(v) {
			case "debug", "info", "warn", "error":
				c.LogLevel = strings.ToLower(v)
				return nil
			}
			return fmt.Errorf("must be debug, info, warn or error")
		}, show: func(c *Config) string { return c.LogLevel }},
	{env: "SLAGUARD_CONCURRENCY", flag: "concurrency", def: "20", help: "tasks a worker runs at once",
		set:  func(c *Config, v string) (err error) { c.Concurrency, err = parseInt(v, 1, 1000); return },
		show: func(c *Config) string { return strconv.Itoa(c.Concurrency) }},
	{env: "SLAGUARD_SHUTDOWN_TIMEOUT", flag: "shutdown-timeout", def: "25s", help: "how long a stopping process waits for in-flight webhooks and tasks",
		set: func(c *Config, v string) (err error) {
			c.ShutdownTimeout, err = parseDur(v, time.Second, 10*time.Minute)
			return
		},
		show: func(c *Config) string { return c.ShutdownTimeout.String() }},
	{env: "SLAGUARD_TIMER_INTERVAL", flag: "timer-interval", def: "100ms", help: "how often due timers are moved to the queue (asynq DelayedTaskCheckInterval); a deadline is marked at most about this late",
		set: func(c *Config, v string) (err error) {
			c.TimerInterval, err = parseDur(v, 50*time.Millisecond, time.Minute)
			return
		},
		show: func(c *Config) string { return c.TimerInterval.String() }},
	{env: "SLAGUARD_WEBHOOK_BODY_LIMIT", flag: "webhook-body-limit", def: "1048576", help: "largest webhook body in bytes (413 beyond)",
		set: func(c *Config, v string) error {
			n, err := parseInt(v, 1024, 64<<20)
			c.WebhookBodyLimit = int64(n)
			return err
		}, show: func(c *Config) string { return strconv.FormatInt(c.WebhookBodyLimit, 10) }},
	{env: "SLAGUARD_WRITE_MAX_RETRY", flag: "write-max-retry", def: "25", help: "retries of a failed write-back before it is archived (visible in /admin/queues)",
		set:  func(c *Config, v string) (err error) { c.WriteMaxRetry, err = parseInt(v, 0, 1000); return },
		show: func(c *Config) string { return strconv.Itoa(c.WriteMaxRetry) }},
	{env: "SLAGUARD_RECONCILE_INTERVAL", flag: "reconcile-interval", def: "5m", help: "how often the catch-up sync asks the helpdesk for tickets changed since its watermark (and once at every worker start); 0 turns it off",
		set: func(c *Config, v string) (err error) {
			if v == "0" {
				c.ReconcileInterval = 0
				return nil
			}
			c.ReconcileInterval, err = parseDur(v, 10*time.Second, 24*time.Hour)
			return
		},
		show: func(c *Config) string { return c.ReconcileInterval.String() }},
	{env: "SLAGUARD_RECONCILE_RATE", flag: "reconcile-rate", def: "5", help: "requests per second the catch-up sync sends the helpdesk at most (it also waits out 429 Retry-After); 0 = no cap",
		set: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1000 {
				return fmt.Errorf("must be a number from 0 to 1000")
			}
			c.ReconcileRate = f
			return nil
		},
		show: func(c *Config) string { return strconv.FormatFloat(c.ReconcileRate, 'f', -1, 64) }},
	{env: "SLAGUARD_TIMER_CONCURRENCY", flag: "timer-concurrency", def: "200", help: "deadline checks a worker runs at once; most wait out the rest of a second (asynq schedules in whole seconds), so they get slots of their own",
		set:  func(c *Config, v string) (err error) { c.TimerConcurrency, err = parseInt(v, 1, 10000); return },
		show: func(c *Config) string { return strconv.Itoa(c.TimerConcurrency) }},
	{env: "SLAGUARD_WRITE_CONCURRENCY", flag: "write-concurrency", def: "8", help: "write-backs a worker has in flight per helpdesk at most (one ticket's pending marks each, sent back to back)",
		set:  func(c *Config, v string) (err error) { c.WriteConcurrency, err = parseInt(v, 1, 1000); return },
		show: func(c *Config) string { return strconv.Itoa(c.WriteConcurrency) }},
	{env: "SLAGUARD_METRICS_ADDR", flag: "metrics-addr", def: "", help: "serve GET /metrics on this address only (e.g. 127.0.0.1:9090 or an internal interface), not on SLAGUARD_ADDR; empty serves it on SLAGUARD_ADDR",
		set: func(c *Config, v string) error {
			if v != "" {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("must be host:port or :port")
				}
			}
			c.MetricsAddr = v
			return nil
		}, show: func(c *Config) string { return c.MetricsAddr }},
	{env: "SLAGUARD_METRICS_TOKEN", flag: "metrics-token", def: "", help: "bearer token Prometheus must send for GET /metrics (its labels name contracts); empty leaves /metrics open to whoever reaches its address", secret: true,
		set: func(c *Config, v string) error {
			if v != "" && len(v) < 8 {
				return fmt.Errorf("is shorter than 8 characters")
			}
			c.MetricsToken = v
			return nil
		}, show: func(c *Config) string { return mask(c.MetricsToken) }},
	{env: "SLAGUARD_SESSION_TTL", flag: "session-ttl", def: "12h", help: "how long a login to the web pages lasts (then log in again)",
		set: func(c *Config, v string) (err error) {
			c.SessionTTL, err = parseDur(v, time.Minute, 30*24*time.Hour)
			return
		},
		show: func(c *Config) string { return c.SessionTTL.String() }},
	smtpURLSetting, smtpFromSetting,
}

// LoadConfig reads the configuration from getenv and the flags in args (flags win). It
// returns every problem at once, one line per bad variable.
func LoadConfig(getenv func(string) string, args []string) (*Config, error) {
	fs := flag.NewFlagSet("slaguard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := make(map[string]*string, len(settings))
	for _, s := range settings {
		flags[s.env] = fs.String(s.flag, "", s.help+" (env "+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, flag.ErrHelp
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("config: unexpected arguments %q", fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	c := &Config{}
	var errs []error
	for _, s := range settings {
		v, from := getenv(s.env), s.env
		if given[s.flag] {
			v, from = *flags[s.env], "-"+s.flag
		} else if v == "" {
			v = s.def
		}
		if err := s.set(c, strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", from, err))
		}
	}
	if (c.ZammadURL == "") != (c.ZammadToken == "") {
		errs = append(errs, errors.New("ZAMMAD_URL and ZAMMAD_TOKEN: set both for write-backs, or neither for a dry run"))
	}
	if (c.ZendeskURL == "") != (c.ZendeskEmail == "" || c.ZendeskToken == "") {
		errs = append(errs, errors.New("ZENDESK_URL, ZENDESK_EMAIL and ZENDESK_TOKEN: set all three, or none"))
	}
	if (c.FreshdeskURL == "") != (c.FreshdeskAPIKey == "") {
		errs = append(errs, errors.New("FRESHDESK_URL and FRESHDESK_API_KEY: set both, or neither"))
	}
	if c.FreshdeskWebhookSecret != "" && c.FreshdeskURL == "" {
		errs = append(errs, errors.New("FRESHDESK_WEBHOOK_SECRET needs FRESHDESK_URL and FRESHDESK_API_KEY: slaguard reads every Freshdesk ticket back before acting"))
	}
	if c.SMTPURL != "" && c.SMTPFrom == "" {
		errs = append(errs, errors.New("SLAGUARD_SMTP_FROM: is required with SLAGUARD_SMTP_URL (the sender of the e-mail notifications)"))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr {
		errs = append(errs, errors.New("SLAGUARD_METRICS_ADDR: must differ from SLAGUARD_ADDR (leave it empty to serve /metrics there)"))
	}
	switch {
	case c.IngestReplicas > 0 && c.RedisURL == "":
		errs = append(errs, errors.New("SLAGUARD_INGEST_REPLICAS: the embedded Redis has no replicas; set REDIS_URL or use 0"))
	case c.IngestReplicas > 0 && strings.HasPrefix(c.RedisURL, "redis-cluster://"):
		errs = append(errs, errors.New("SLAGUARD_INGEST_REPLICAS: a cluster URL has no replicas to wait for here; use 0"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %d invalid setting(s):\n%w", len(errs), errors.Join(errs...))
	}
	return c, nil
}

// Print writes the effective configuration, one VAR=value line each, secrets masked.
func (c *Config) Print(w io.Writer) {
	for _, s := range settings {
		fmt.Fprintf(w, "%s=%s\n", s.env, s.show(c))
	}
}

// PrintFlags writes every setting as a flag with its variable, default and meaning: the
// help text of every command that reads the configuration.
func PrintFlags(w io.Writer) {
	fmt.Fprintln(w, "\nflags (each also an environment variable; a flag wins):")
	for _, s := range settings {
		def := ""
		if s.def != "" {
			def = ", default " + s.def
		}
		fmt.Fprintf(w, "  -%s value\n      %s (env %s%s)\n", s.flag, s.help, s.env, def)
	}
}

// ConfigTable renders the settings as the README's Markdown table.
func ConfigTable() string {
	var b strings.Builder
	b.WriteString("| variable | flag | default | secret | meaning |\n|---|---|---|---|---|\n")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "—"
		}
		sec := ""
		if s.secret {
			sec = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | `-%s` | `%s` | %s | %s |\n", s.env, s.flag, def, sec, s.help)
	}
	return b.String()
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("must be 1 or 0")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func parseInt(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

func parseDur(v string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return 0, fmt.Errorf("must be a duration from %s to %s (like 500ms or 25s)", lo, hi)
	}
	return d, nil
}

func fileOrEmpty(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	return nil
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "****"
}

// maskTokens shows each admin token's name, never its secret: "alice:****,****".
func maskTokens(l []string) string {
	out := make([]string, len(l))
	for i, t := range l {
		out[i] = "****"
		if tok := adminauth.ParseToken(t, i+1); strings.HasPrefix(strings.TrimSpace(t), tok.Name+":") {
			out[i] = tok.Name + ":****"
		}
	}
	return strings.Join(out, ",")
}

// checkURL accepts "" or an http(s) URL with a host.
func checkURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an http(s) URL")
	}
	return nil
}
