package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/sla"
)

// Without ZAMMAD_URL the log shows each request Zammad would get (method, path, body),
// the metrics count them as dry_run (never as an "ok" from a helpdesk), and time booked
// on the webhook's articles makes a billing export with numbers.
func TestDryRunShowsTheRequestsAndBillsAccountedTime(t *testing.T) {
	var logs lockedBuffer
	s := startService(t, serviceOptions{log: &logs, env: map[string]string{"ZAMMAD_URL": "", "ZAMMAD_TOKEN": ""}})
	var created map[string]any
	if code := s.api(http.MethodPost, "/api/v1/contracts", secondsContract(), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d %v", code, created)
	}
	o := ticketOps{s: s, copies: 1}
	o.create(501, "Server down", "email", "2 normal", "Unser Shop ist komplett down, nichts geht mehr.")
	o.change(501, agentID, func(t *zammadfake.Ticket) { t.State = "open" }, &zammadfake.Article{
		ID: 5015, TicketID: 501, Sender: "Agent", Type: "note", Internal: true, Body: "Neu gestartet.",
		CreatedByID: agentID, CreatedAt: clocktest.Now(), AccountedTime: 45})

	type request struct {
		Msg, Method, Path, Body string
	}
	var sent []request
	eventually(t, 15*time.Second, "a tag and a ticket update in the dry-run log", func() bool {
		sent = sent[:0]
		for _, line := range strings.Split(logs.String(), "\n") {
			var r request
			if json.Unmarshal([]byte(line), &r) == nil && strings.HasPrefix(r.Msg, "dry run: request not sent") {
				sent = append(sent, r)
			}
		}
		var tag, put bool
		for _, r := range sent {
			tag = tag || (r.Method == "POST" && r.Path == "/api/v1/tags/add" && strings.Contains(r.Body, `"o_id":501`))
			put = put || (r.Method == "PUT" && r.Path == "/api/v1/tickets/501" && strings.Contains(r.Body, `"article"`))
		}
		return tag && put
	})
	writes := grepLines(s.download("/metrics"), "slaguard_writebacks_total{")
	if strings.Contains(writes, `result="ok"`) || !strings.Contains(writes, `result="dry_run"`) {
		t.Errorf("dry-run writes not counted as dry_run:\n%s", writes)
	}
	month := sla.Month(clocktest.Now())
	var csv string
	eventually(t, 15*time.Second, "the booked time in the export", func() bool {
		csv = s.download("/api/v1/billing/" + month + "?format=csv&dialect=rfc4180")
		return strings.Contains(csv, "Server down")
	})
	if !strings.Contains(csv, ",45,") {
		t.Errorf("export lacks the 45 booked minutes:\n%s", csv)
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
