package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
)

const catchupAgent = 5

// catchupContract covers converge.at on the 24/7 calendar with a 60 min first response
// (at risk from 80 %) and no quota to speak of.
func catchupContract(base time.Time, firstResponse string) map[string]any {
	fr := map[string]string{"low": firstResponse, "medium": firstResponse, "high": firstResponse, "critical": firstResponse}
	res := map[string]string{"low": "8h", "medium": "8h", "high": "8h", "critical": "8h"}
	return map[string]any{
		"customer": "Converge GmbH", "plan": "sla1", "starts_on": base.AddDate(0, -2, 0).Format("2006-01-02"),
		"domains": []string{"converge.at"}, "calendar": map[string]any{"preset": "24x7"},
		"first_response": fr, "resolution": res, "at_risk_percent": 80, "quota_per_month": 100000,
		"hourly_rate_cents": 9600,
	}
}

func TestTicketsNoWebhookEverAnnouncedAreEnforcedAfterOnePassWithPausesFromHistory(t *testing.T) {
	base := clocktest.Now().Truncate(time.Minute)
	clk := &manualClock{now: base}
	rig := newCatchupRig(t, clk)
	rig.start(nil)
	if code := rig.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "60m"), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	// 50 tickets exist only in Zammad, created 50 minutes ago. The even ones were put on
	// hold from minute 5 to minute 25 and then the customer wrote again; the odd ones
	// were left alone. No webhook ever reached slaguard.
	created := base.Add(-50 * time.Minute)
	for i := 0; i < 50; i++ {
		id := 1000 + i
		clk.Set(created)
		rig.Zammad.Create(zammadfake.Ticket{ID: id, Title: "Frage " + strconv.Itoa(i), CustomerID: 200 + i,
			CustomerEmail: "kunde" + strconv.Itoa(i) + "@converge.at"}, zammadfake.Article{Body: "Eine Frage zum Shop."})
		if i%2 == 0 {
			clk.Set(created.Add(5 * time.Minute))
			rig.Zammad.Change(id, catchupAgent, func(t *zammadfake.Ticket) { t.State = "pending reminder" })
			clk.Set(created.Add(25 * time.Minute))
			rig.Zammad.AddArticle(id, zammadfake.Article{Sender: "Customer", CreatedByID: 200 + i, Body: "Noch offen."})
			rig.Zammad.Change(id, 200+i, func(t *zammadfake.Ticket) { t.State = "open" })
		}
	}
	clk.Set(base)
	r, err := rig.app.buildReconciler()
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Pass(context.Background(), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Examined != 50 || res.Behind != 50 || res.Tickets != 50 {
		t.Errorf("pass examined %d, %d behind, fed %d tickets; want 50 each", res.Examined, res.Behind, res.Tickets)
	}
	// Each odd ticket lost its creation (with its article); each even one that too, its
	// pause and the customer's answer that reopened it.
	if want := 25*1 + 25*3; res.Recovered != want {
		t.Errorf("recovered %d events, want %d", res.Recovered, want)
	}
	rig.settle()
	for i := 0; i < 50; i++ {
		id := 1000 + i
		tags := rig.Zammad.Tags(id)
		// 50 of 60 minutes used is at risk (80 %); 30 of 60 (20 minutes on hold) is not.
		if at := hasTag(tags, "sla-at-risk-first-response"); at != (i%2 == 1) {
			t.Errorf("ticket %d (paused: %v): at-risk tag %v, tags %v", id, i%2 == 0, at, tags)
		}
		replies := 0
		for _, a := range rig.Zammad.Articles(id) {
			if a.CreatedByID == zammadfake.DefaultMe.ID && !a.Internal && a.Type == "email" {
				replies++
			}
		}
		if replies != 1 {
			t.Errorf("ticket %d got %d confirmations, want 1", id, replies)
		}
	}
	var ticket struct {
		Status struct {
			Paused bool `json:"paused"`
		} `json:"status"`
		ContractID string `json:"contract_id"`
	}
	if code := rig.api(http.MethodGet, "/api/v1/tickets/zammad/1000", nil, &ticket); code != http.StatusOK || ticket.ContractID == "" {
		t.Errorf("GET ticket 1000: %d %+v", code, ticket)
	}

	// A second pass over the same tickets finds everything seen and writes nothing.
	before := writeBacks(rig.Zammad)
	res, err = r.Pass(context.Background(), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Recovered != 0 || res.Tickets != 0 {
		t.Errorf("second pass recovered %d events on %d tickets, want none", res.Recovered, res.Tickets)
	}
	rig.settle()
	if diff := cmp.Diff(before, writeBacks(rig.Zammad)); diff != "" {
		t.Errorf("the second pass wrote (-before +after):\n%s", diff)
	}
}
