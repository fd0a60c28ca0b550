package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk"
	"github.com/monobunt/slaguard/jobs"
	"github.com/monobunt/slaguard/notify"
)

// The settings of the e-mail notifications (rows of config.go's table).
var (
	smtpURLSetting = setting{env: "SLAGUARD_SMTP_URL", flag: "smtp-url", def: "", secret: true,
		help: "SMTP server for the contracts' e-mail notifications: smtp://user:password@host:port (port 587 by default, STARTTLS when the server offers it) or smtps://… (TLS, port 465); empty is a trial: each e-mail is logged, not sent (see \"Push notifications\")",
		set: func(c *Config, v string) error {
			if v != "" {
				if _, err := notify.ParseSMTPURL(v); err != nil {
					return err
				}
			}
			c.SMTPURL = v
			return nil
		},
		show: func(c *Config) string {
			u, err := notify.ParseSMTPURL(c.SMTPURL)
			if err != nil {
				return ""
			}
			return notify.RedactSMTPURL(u)
		}}
	smtpFromSetting = setting{env: "SLAGUARD_SMTP_FROM", flag: "smtp-from", def: "",
		help: "sender of the e-mail notifications, an address or Name <address> (required with SLAGUARD_SMTP_URL)",
		set: func(c *Config, v string) error {
			if v != "" {
				if _, err := mail.ParseAddress(v); err != nil {
					return fmt.Errorf("must be an e-mail address like SLA Guard <sla@example.at>")
				}
			}
			c.SMTPFrom = v
			return nil
		},
		show: func(c *Config) string { return c.SMTPFrom }}
)

// notifyConfig is how the worker pushes the contracts' warnings: webhooks over the
// notify client, e-mail over SLAGUARD_SMTP_URL (or logged, in a trial), with links to
// the tickets in their helpdesks.
func (a *app) notifyConfig() jobs.NotifyConfig {
	nc := jobs.NotifyConfig{HTTPClient: a.notifyClient, TicketURL: a.ticketURL}
	if a.cfg.SMTPURL == "" {
		a.log.Info("no SLAGUARD_SMTP_URL: e-mail notifications are a trial — each is logged (\"trial: e-mail not sent\"), none is sent")
		return nc
	}
	u, err := notify.ParseSMTPURL(a.cfg.SMTPURL) // checked by LoadConfig
	if err != nil {
		a.log.Error("SLAGUARD_SMTP_URL", slog.String("error", err.Error()))
		return nc
	}
	nc.Mailer = &notify.Mailer{Server: u, From: a.cfg.SMTPFrom, TLS: a.smtpTLS, Clock: a.clock}
	return nc
}

// ticketURL links a ticket to its page in its helpdesk; "" for a helpdesk slaguard has
// no URL of (a dry run).
func (a *app) ticketURL(ref helpdesk.TicketRef) string {
	base, path := "", ""
	switch ref.Helpdesk {
	case "zammad":
		base, path = a.cfg.ZammadURL, "/#ticket/zoom/"
	case zendesk.Name:
		base, path = a.cfg.ZendeskURL, "/agent/tickets/"
	case freshdesk.Name:
		base, path = a.cfg.FreshdeskURL, "/a/tickets/"
	}
	if base == "" || ref.ID == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + path + ref.ID
}

// checkSMTP is `slaguard doctor`'s check of SLAGUARD_SMTP_URL: it connects, starts TLS
// and logs in as a notification would, and sends nothing.
func checkSMTP(ctx context.Context, cfg *Config, tlsCfg *tls.Config) []finding {
	if cfg.SMTPURL == "" {
		return []finding{{"ok", "smtp", "SLAGUARD_SMTP_URL is not set: e-mail notifications are a trial (logged, not sent)", ""}}
	}
	u, err := notify.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return []finding{{"FAIL", "smtp", err.Error(), "correct SLAGUARD_SMTP_URL"}}
	}
	ml := notify.Mailer{Server: u, From: cfg.SMTPFrom, TLS: tlsCfg}
	if err := ml.Check(ctx); err != nil {
		return []finding{{"FAIL", "smtp", "cannot log in at " + notify.RedactSMTPURL(u) + ": " + err.Error(),
			"correct SLAGUARD_SMTP_URL (host, port, user, password); the login goes only over TLS (smtps:// or STARTTLS) or to localhost"}}
	}
	return []finding{{"ok", "smtp", "logged in at " + notify.RedactSMTPURL(u) + " (nothing sent)", ""}}
}
