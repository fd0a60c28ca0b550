// Package freshdesk is slaguard's adapter for Freshdesk: it accepts the webhooks of a
// Freshdesk automation rule, which Freshdesk does not sign — a shared secret in a custom
// header the rule sets is checked instead, in constant time — and, since anyone who
// learns the URL and the secret could still send any body, it treats a body only as a
// hint naming a ticket and reads the ticket back through the REST API before slaguard
// acts. It writes back (priority, private notes, tags — which Freshdesk replaces, so they
// are read, merged and written — and the confirmation reply), reads time entries, and
// lists changed tickets for the catch-up.
//
// Verify and Parse are pure and never panic on any input. The adapter keeps no state
// about tickets and never retries by itself: a failure worth retrying is returned as
// *helpdesk.RetryableError.
package freshdesk
