package zendesk_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zendesk"
)

// FuzzParse: no input panics, and every event Parse returns can be queued as JSON and
// names its helpdesk, delivery and ticket, with a valid priority.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"ticket_created.json", "ticket_priority_changed.json", "trigger_ticket_updated.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"ticket":{"id":"1","tags":"a b,c","time_spent_total":"1e400","created_at":"2013-12-12T05:35Z"}}`))
	f.Add([]byte(`{"type":"zen:event-type:ticket.created","id":"\u0000","detail":{"id":7}}`))
	a, err := zendesk.New(zendesk.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.Parse(http.Header{}, body)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.Helpdesk != "zendesk" || ev.DeliveryID == "" || ev.Ticket.ID == "" {
				t.Fatalf("incomplete event %+v", ev)
			}
			if _, err := json.Marshal(ev); err != nil {
				t.Fatalf("event cannot be encoded: %v", err)
			}
			if !ev.Ticket.Priority.Valid() {
				t.Fatalf("priority %q", ev.Ticket.Priority)
			}
		}
	})
}

// FuzzVerify: nothing verifies without the secret's signature over timestamp and body.
func FuzzVerify(f *testing.F) {
	f.Add(fixture(f, "ticket_created.json"), fixtureTimestamp, fixtureSignature)
	f.Add([]byte(""), "", "")
	now, _ := time.Parse(time.RFC3339, fixtureTimestamp)
	a, err := zendesk.New(zendesk.Config{WebhookSecret: fixtureSecret, Clock: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, ts, sig string) {
		h := http.Header{}
		h.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
		h.Set("X-Zendesk-Webhook-Signature", sig)
		if a.Verify(h, body) == nil && strings.TrimSpace(sig) != zendesk.Sign(fixtureSecret, strings.TrimSpace(ts), body) {
			t.Fatalf("verified %q, which is not the signature of timestamp and body", sig)
		}
	})
}
