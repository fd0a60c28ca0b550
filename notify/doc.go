// Package notify pushes slaguard's at-risk and breach warnings to people: a Slack,
// Mattermost or Microsoft Teams (Workflows) incoming webhook, or e-mail over SMTP.
//
// It owns the message (what a warning says and how each receiver wants it shaped) and
// one send of it. It never decides whether or when to send, never retries and never
// records anything: the worker (package jobs) sends each warning once per mark and
// channel through the same once-only, retrying write path as the helpdesk write-backs.
// A send that may succeed later fails with a *helpdesk.RetryableError (429 with its
// Retry-After, 5xx, a network error, an SMTP 4xx reply), as a helpdesk write does.
//
// Webhook URLs are secrets (whoever has one can post to the channel): nothing here
// logs them, and Redact shortens one for the log.
package notify
