// Package web serves slaguard's pages for people: a login that opens a session, the SLA
// board, the contract forms and the monthly report. Pages are html/template with
// embedded assets and a few lines of plain JavaScript; there is no build step.
//
// It owns the browser session (a cookie naming a session kept in Redis) and its CSRF
// token. It never evaluates a ticket itself and never writes to a helpdesk: it reads what
// the worker stored and writes contracts through the contracts repository, with the same
// validation the REST API applies.
package web
