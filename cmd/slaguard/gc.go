package main

import "runtime/debug"

// webGCPercent is the GOGC of a `slaguard web` process when the environment sets none.
//
// The door keeps almost nothing: its live heap is about 4 MB (routes, validators,
// templates) and does not grow with traffic, while each delivery leaves about 13 KB of
// garbage (the body, the task payload, asynq's encoding of it). At Go's default of 100
// the heap goal is about 8 MB, so a collection, which marks the whole live heap, runs
// every few hundred deliveries and is a tenth of the door's CPU under load; at 400 it
// runs a quarter as often for about 15 MB more memory. The worker keeps the default:
// its heap grows with the work in flight.
const webGCPercent = 400

// tuneGC applies webGCPercent to the web role unless GOGC is set (GOGC always wins,
// GOMEMLIMIT still caps the heap).
func tuneGC(role string, getenv func(string) string) {
	if role == "web" && getenv("GOGC") == "" {
		debug.SetGCPercent(webGCPercent)
	}
}
