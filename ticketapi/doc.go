// Package ticketapi serves the tickets' side of the admin REST API under /api/v1: a
// ticket's evaluated status with its events, the at-risk board, and a contract's quota
// usage in a month.
//
// It only reads: no request writes to Redis or enqueues anything.
package ticketapi
