// Package zendesk is slaguard's adapter for Zendesk Support: it verifies the webhooks a
// Zendesk trigger (or event subscription) sends — HMAC-SHA256 over timestamp and body,
// within a replay window — reads the ticket back through the REST API before slaguard
// acts on it, writes back (priority, internal notes, tags, the public confirmation) in as
// few ticket updates as Zendesk allows, reads the time the Time Tracking app booked, and
// lists changed tickets for the catch-up.
//
// Verify and Parse are pure and never panic on any input. The adapter keeps no state
// about tickets; it never retries by itself, except to re-read a ticket whose tags
// changed under it (409 on a stale updated_stamp) — a failure worth retrying is returned
// as *helpdesk.RetryableError so the caller's queue decides when.
package zendesk
