// Package freshdeskfake is a fake Freshdesk for tests and the demo: an HTTP server
// speaking the part of the API v2 slaguard uses with Freshdesk's answer shapes and status
// codes — "tags" on a ticket update replaces the ticket's tags, notes and replies are
// conversations, page 301 of a ticket list is 400, 429 with Retry-After when told to —
// that records every request and can send the automation rule's webhook back after each
// write, with the shared secret in X-Webhook-Token, as a Freshdesk rule would.
//
// It is not Freshdesk: tickets live in memory, there are no groups, SLA policies or
// rules beyond the one webhook, and updated_at is stamped in milliseconds (Freshdesk in
// seconds) so two updates in one second of a fast test stay two snapshots. It never
// imports package testing; Start is the convenience for tests.
package freshdeskfake
