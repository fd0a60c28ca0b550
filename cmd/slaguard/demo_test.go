package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The demo, at a test's pace, shows every write-back the scripted day calls for.
func TestDemoPrintsEveryExpectedWriteBack(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a few seconds")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := demo(ctx, demoScale{firstResponse: 2 * time.Second, resolution: 4 * time.Second}, &out, io.Discard); err != nil {
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
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if regexp.MustCompile(`ticket 202: tag sla-breached`).MatchString(got) {
		t.Errorf("ticket 202 was answered and closed in time, but the demo shows a breach")
	}
	if t.Failed() {
		t.Log(got)
	}
}
