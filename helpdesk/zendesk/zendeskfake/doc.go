// Package zendeskfake is a fake Zendesk for tests and the demo: an HTTP server speaking
// the part of the Support REST API slaguard uses, with Zendesk's answer shapes and status
// codes — tags added by PUT /tickets/{id}/tags and replaced by a ticket update's "tags",
// 409 on a safe update with a stale updated_stamp, 429 with Retry-After when told to —
// that records every request, keeps audits of field changes (the Time Tracking app's
// total among them) and can send signed trigger webhooks back after each write, as a
// Zendesk trigger would.
//
// It is not Zendesk: it keeps tickets in memory, knows no groups, permissions, views or
// triggers beyond the one webhook, and stamps updates in milliseconds (Zendesk in
// seconds) so that two updates in one second of a fast test stay two snapshots. It never
// imports package testing; Start is the convenience for tests.
package zendeskfake
