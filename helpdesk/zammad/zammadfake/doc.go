// Package zammadfake is a fake Zammad for tests, the demo and load tests: an HTTP server
// that speaks the part of Zammad's REST API slaguard uses, with Zammad's status codes and
// answer shapes, that records every request, can be told to fail (429 with Retry-After,
// 5xx, or hang), and can send Zammad-shaped webhooks back after each write as a Zammad
// trigger would. It also builds webhook payloads (Payload) and signs them (Sign).
//
// It is not Zammad: it keeps tickets in memory, knows no groups, permissions or
// triggers beyond the one webhook, and accepts writes on unknown tickets unless Strict.
// It never imports package testing (the demo binary runs it); Start is the convenience
// for tests.
package zammadfake
