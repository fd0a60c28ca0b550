package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/sla"
)

// TestFreshdeskTimeLoggedWithoutATicketChangeIsBilledAfterOnePass: Freshdesk leaves a
// ticket's updated_at alone when an agent logs time, so the ticket listing never shows
// it and no webhook announces it. One pass finds the entry among the account's time
// entries and bills it; a second pass knows it and adds nothing.
func TestFreshdeskTimeLoggedWithoutATicketChangeIsBilledAfterOnePass(t *testing.T) {
	base := clocktest.Now().Truncate(time.Minute)
	clk := &manualClock{now: base}
	rig := newCatchupRig(t, clk)
	rig.start(nil)
	desk := rig.desk("freshdesk")
	if code := rig.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "60m"), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	clk.Set(base.Add(-30 * time.Minute))
	desk.create(3000, 1)
	clk.Set(base)
	r := rig.reconciler("freshdesk")
	if _, err := r.Pass(context.Background(), base.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	rig.settle()

	// An agent logs 45 minutes on the ticket; the ticket itself does not change.
	clk.Advance(10 * time.Minute)
	before, _ := rig.Freshdesk.Ticket(3000)
	rig.Freshdesk.AddTimeEntry(freshdeskfake.TimeEntry{TicketID: 3000, AgentID: catchupAgent, TimeSpent: "00:45", Billable: true})
	if after, _ := rig.Freshdesk.Ticket(3000); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("logging time moved the ticket's updated_at from %s to %s", before.UpdatedAt, after.UpdatedAt)
	}
	clk.Advance(5 * time.Minute)
	res, err := r.Pass(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tickets != 1 {
		t.Errorf("the pass fed %d tickets, want the one with new time", res.Tickets)
	}
	rig.settle()
	month := "/api/v1/billing/" + sla.Month(clk.Now()) + "?format=csv&dialect=rfc4180"
	s := &testService{t: t, URL: rig.URL}
	csv := s.download(month)
	if !billedMinutes(csv, "Frage 1", "45") {
		t.Fatalf("the export does not bill 45 minutes on Frage 1:\n%s", csv)
	}

	// A second pass reads the same entry again, knows it, and adds nothing.
	clk.Advance(5 * time.Minute)
	if res, err = r.Pass(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if res.Tickets != 0 {
		t.Errorf("the second pass fed %d tickets, want none", res.Tickets)
	}
	rig.settle()
	if again := s.download(month); again != csv {
		t.Errorf("the second pass changed the export:\n%s\nwas:\n%s", again, csv)
	}
}

// billedMinutes reports whether a row of the export names title and books minutes.
func billedMinutes(csv, title, minutes string) bool {
	for _, line := range strings.Split(csv, "\n") {
		if strings.Contains(line, title) && strings.Contains(line, ","+minutes+",") {
			return true
		}
	}
	return false
}
