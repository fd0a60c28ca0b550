package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk"
)

// helpdeskSettings are the settings of the helpdesks besides Zammad (their rows are in
// config.go's table).
type helpdeskSettings struct {
	ZendeskURL, ZendeskEmail, ZendeskToken, ZendeskWebhookSecret string
	FreshdeskURL, FreshdeskAPIKey, FreshdeskWebhookSecret        string
}

// helpdeskRow is one helpdesk slaguard can serve besides Zammad: whether the
// configuration names it, and how its adapter is built. Adding a helpdesk is a package
// under helpdesk/, a row here and its rows in config.go.
type helpdeskRow struct {
	name       string
	configured func(c *Config) bool
	// hasAPI: the adapter can read tickets and write back; without it the helpdesk runs
	// as a dry run.
	hasAPI func(c *Config) bool
	secret func(c *Config) string
	// build makes the adapter; hc makes its REST calls (the catch-up passes a rate-capped one).
	build func(a *app, hc *http.Client) (helpdesk.Adapter, error)
}

// apiUser is an adapter that can say which user its credentials belong to.
type apiUser interface {
	Me(ctx context.Context) (string, error)
}

var helpdeskRows = []helpdeskRow{
	{name: zendesk.Name,
		configured: func(c *Config) bool { return c.ZendeskURL != "" || c.ZendeskWebhookSecret != "" },
		hasAPI:     func(c *Config) bool { return c.ZendeskURL != "" },
		secret:     func(c *Config) string { return c.ZendeskWebhookSecret },
		build: func(a *app, hc *http.Client) (helpdesk.Adapter, error) {
			return zendesk.New(zendesk.Config{BaseURL: a.cfg.ZendeskURL, Email: a.cfg.ZendeskEmail, Token: a.cfg.ZendeskToken,
				WebhookSecret: a.cfg.ZendeskWebhookSecret, HTTPClient: hc, Clock: a.clock})
		}},
	{name: freshdesk.Name,
		configured: func(c *Config) bool { return c.FreshdeskURL != "" },
		hasAPI:     func(c *Config) bool { return c.FreshdeskURL != "" },
		secret:     func(c *Config) string { return c.FreshdeskWebhookSecret },
		build: func(a *app, hc *http.Client) (helpdesk.Adapter, error) {
			return freshdesk.New(freshdesk.Config{BaseURL: a.cfg.FreshdeskURL, APIKey: a.cfg.FreshdeskAPIKey,
				WebhookSecret: a.cfg.FreshdeskWebhookSecret, HTTPClient: hc, Clock: a.clock})
		}},
}

// otherHelpdesks builds the adapters of the configured helpdesks besides Zammad, each
// wrapped as a dry run when it has no API credentials.
func (a *app) otherHelpdesks() (adapters []helpdesk.Adapter, raw map[string]helpdesk.Adapter, err error) {
	raw = map[string]helpdesk.Adapter{}
	for _, r := range helpdeskRows {
		if !r.configured(a.cfg) {
			continue
		}
		ad, err := r.build(a, a.httpClient)
		if err != nil {
			return nil, nil, err
		}
		raw[r.name] = ad
		if !r.hasAPI(a.cfg) {
			a.log.Warn(r.name+": no API configured: write-backs are logged as a dry run", slog.String("helpdesk", r.name))
			ad = helpdesk.DryRun(ad, a.log)
		}
		adapters = append(adapters, ad)
	}
	return adapters, raw, nil
}

// webhookSecret is the configured webhook secret of a helpdesk ("" when none).
func (a *app) webhookSecret(name string) string {
	if name == "zammad" {
		return a.cfg.ZammadWebhookSecret
	}
	for _, r := range helpdeskRows {
		if r.name == name {
			return r.secret(a.cfg)
		}
	}
	return ""
}

// checkOtherHelpdesks is doctor's look at each configured helpdesk besides Zammad: its
// webhook secret and whether its API knows slaguard's credentials (its own user, read
// without writing anything).
func checkOtherHelpdesks(ctx context.Context, cfg *Config, hc *http.Client) []finding {
	if hc == nil {
		hc = defaultHTTPClient
	}
	var fs []finding
	for _, r := range helpdeskRows {
		if !r.configured(cfg) {
			continue
		}
		env := strings.ToUpper(r.name)
		if r.secret(cfg) == "" {
			fs = append(fs, finding{"FAIL", r.name + " webhook secret", env + "_WEBHOOK_SECRET is not set: POST /webhooks/" + r.name + " is not mounted",
				"set " + env + "_WEBHOOK_SECRET (README: Setting up " + title(r.name) + ")"})
		} else {
			fs = append(fs, finding{"ok", r.name + " webhook secret", "set", ""})
		}
		if !r.hasAPI(cfg) {
			fs = append(fs, finding{"warn", r.name, env + "_URL is not set: a dry run, nothing is written to " + title(r.name),
				"set " + env + "_URL and its credentials (README: Setting up " + title(r.name) + ")"})
			continue
		}
		ad, err := r.build(&app{cfg: cfg}, hc)
		if err != nil {
			fs = append(fs, finding{"FAIL", r.name + " api", err.Error(), "correct " + env + "_URL"})
			continue
		}
		me, ok := ad.(apiUser)
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		id, err := me.Me(cctx)
		cancel()
		if err != nil {
			fs = append(fs, finding{"FAIL", r.name + " api", err.Error(),
				"check " + env + "_URL and the API credentials (README: Setting up " + title(r.name) + ")"})
			continue
		}
		fs = append(fs, finding{"ok", r.name + " api", "slaguard works as user " + id, ""})
	}
	return fs
}

func title(name string) string { return strings.ToUpper(name[:1]) + name[1:] }
