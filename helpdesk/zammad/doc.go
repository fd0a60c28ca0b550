// Package zammad is slaguard's adapter for Zammad: it verifies and parses the webhooks a
// Zammad trigger sends (a ticket snapshot plus the article that caused it) and writes back
// through Zammad's REST API (priority, internal notes, tags, public replies) and reads a
// ticket's time accounting.
//
// Verify and Parse are pure and never panic on any input. The adapter keeps no state
// about tickets; it never retries by itself — a failure worth retrying is returned as
// *helpdesk.RetryableError so the caller's queue decides when.
package zammad
