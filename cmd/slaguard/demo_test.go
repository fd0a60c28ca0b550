package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/internal/clocktest"
)

// The demo, at a test's pace, shows every write-back the scripted day calls for — at any
// hour: on a Sunday night, on Christmas Eve after closing and in the night the clocks go
// back, as on a weekday morning (its contract runs on the 24/7 calendar). With
// SLAGUARD_TEST_CLOCK set, it plays at that instant only.
func TestDemoPrintsEveryExpectedWriteBackAtAnyHour(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a few seconds")
	}
	starts := map[string]func() time.Time{
		"Tuesday 10:00":             clock.StartingAt(vienna(t, "2026-11-24T10:00:00")),
		"Sunday 03:00":              clock.StartingAt(vienna(t, "2026-12-06T03:00:00")),
		"Christmas Eve 18:00":       clock.StartingAt(vienna(t, "2026-12-24T18:00:00")),
		"October DST change, 02:59": clock.StartingAt(time.Date(2026, 10, 25, 0, 59, 50, 0, time.UTC)),
	}
	if at, ok := clocktest.Shifted(); ok {
		starts = map[string]func() time.Time{at.Format(time.RFC3339): clocktest.Clock()}
	}
	for name, now := range starts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkDemo(t, now)
		})
	}
}

func vienna(t *testing.T, local string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02T15:04:05", local, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func checkDemo(t *testing.T, now func() time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	// Targets of seconds, with room to spare: ticket 202 is answered 0.7 s after it arrives,
	// and a loaded machine must not turn that into an at-risk mark (80 % of 4 s).
	if err := demo(ctx, demoScale{firstResponse: 4 * time.Second, resolution: 8 * time.Second}, now, &out, io.Discard); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		`ticket 201: priority → 3 high; internal note: Priorität korrigiert`,
		`ticket 201: reply to the customer: Ihr Ticket #31000201`,
		`ticket 203: tag sla-breached-first-response`,
		`ticket 203: tag sla-breached-resolution`,
		`ticket 204: tag sla-change-request`,
		`ticket 207: tag sla-over-quota`,
		`usage 2026-`,
		`Online-Tischreservierung,implementation,90,90,96.00,144.00`,
		`1 over quota`,
		// Steps that call for no write-back say what slaguard made of them.
		`✓ ticket 202: first response in time after`,
		`solved in time after`,
		`✓ ticket 204: 90 minutes booked → billing export: implementation, 90 minutes at 96.00 €/h = 144.00 € (change request)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if regexp.MustCompile(`ticket 202: tag sla-breached`).MatchString(got) {
		t.Errorf("ticket 202 was answered and closed in time, but the demo shows a breach")
	}
	// Each mark is written once: no tag goes to a ticket twice.
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`ticket \d+: tag [a-z-]+`).FindAllString(got, -1) {
		if seen[m] {
			t.Errorf("the demo wrote %q twice", m)
		}
		seen[m] = true
	}
	if t.Failed() {
		t.Log(got)
	}
}
