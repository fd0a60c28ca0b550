package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/sla"
)

// Zammad webhooks with time accounting go in; the month's export comes out.
func TestBillingEndToEnd(t *testing.T) { billingDay(t, serviceOptions{}) }

func billingDay(t *testing.T, opt serviceOptions) {
	s := startService(t, opt)
	contract := secondsContract()
	contract["billing_increment"] = "15m"
	var created map[string]any
	if code := s.api(http.MethodPost, "/api/v1/contracts", contract, &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d %v", code, created)
	}
	o := ticketOps{s: s, copies: 1}
	o.create(401, "Angebot: neue Funktion Gutscheine", "web", "2 normal", "Bitte um ein Angebot für Gutscheine.")
	o.create(402, "Frage zum Newsletter", "web", "2 normal", "Wie funktioniert der Newsletter?")
	// Agents book time: 50 minutes on the change request (billed 60 with the 15-minute
	// increment), 20 on the question (included).
	s.Zammad.AddTimeAccounting(zammadfake.TimeAccounting{TicketID: 401, TimeUnit: "50.0", CreatedByID: agentID})
	s.Zammad.AddTimeAccounting(zammadfake.TimeAccounting{TicketID: 402, TimeUnit: "20.0", CreatedByID: agentID})
	for _, id := range []int{401, 402} {
		o.change(id, agentID, func(t *zammadfake.Ticket) { t.State = "open" }, &zammadfake.Article{
			ID: id*10 + 5, TicketID: id, Sender: "Agent", Type: "note", Internal: true,
			Body: "Arbeit erledigt.", CreatedByID: agentID, AccountedTime: 1})
	}
	month := sla.Month(clocktest.Now())
	var csv string
	eventually(t, 10*time.Second, "both entries in the export", func() bool {
		csv = s.download("/api/v1/billing/" + month + "?format=csv&dialect=rfc4180")
		return strings.Contains(csv, "31000401") && strings.Contains(csv, "31000402")
	})
	for _, want := range []string{
		"Angebot: neue Funktion Gutscheine,implementation,50,60,96.00,96.00,change request",
		"Frage zum Newsletter,included,20,0,0.00,0.00", // included time is not billed
		"Customer Corp,,,,,,,total,70,60,,96.00,,",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("export lacks %q:\n%s", want, csv)
		}
	}
	// Redelivered webhooks and re-reads never add an entry twice.
	o.change(401, agentID, nil, &zammadfake.Article{ID: 4016, TicketID: 401, Sender: "Agent", Type: "note",
		Internal: true, Body: "Nochmal gelesen.", CreatedByID: agentID, AccountedTime: 1})
	time.Sleep(2500 * time.Millisecond)
	if again := s.download("/api/v1/billing/" + month + "?format=csv&dialect=rfc4180"); again != csv {
		t.Errorf("a re-read changed the export:\n%s\nwas:\n%s", again, csv)
	}
	checkNoTaskFailed(t, s)
}

func (s *testService) download(path string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}
