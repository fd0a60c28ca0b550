package zammad_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

var fixtureFiles = []string{"ticket_created.json", "article_created.json", "article_internal_note.json",
	"priority_changed.json", "state_pending.json"}

// FuzzParse: no input panics, and every event Parse returns can be encoded (it is queued
// as JSON) and names its helpdesk, delivery and ticket.
func FuzzParse(f *testing.F) {
	for _, name := range fixtureFiles {
		f.Add(fixture(f, name), "d-1")
	}
	f.Add([]byte(`{"ticket":{"id":1},"article":{}}`), "")
	f.Add([]byte(`{"ticket":{"id":"1","priority":"4 urgent","tags":["sla-critical"]},"article":{"id":2,"accounted_time":"1e400"}}`), "")
	a, err := zammad.New(zammad.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, delivery string) {
		h := http.Header{}
		h.Set("X-Zammad-Delivery", delivery)
		evs, err := a.Parse(h, body)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.Helpdesk != "zammad" || ev.DeliveryID == "" || ev.Ticket.ID == "" {
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

// FuzzVerify: no input panics, and nothing verifies without the secret's signature.
func FuzzVerify(f *testing.F) {
	f.Add(fixture(f, "ticket_created.json"), fixtureSignature)
	f.Add([]byte("{}"), "sha1=")
	f.Add([]byte(""), "")
	a, err := zammad.New(zammad.Config{WebhookSecret: fixtureSecret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		h.Set("X-Hub-Signature", sig)
		if a.Verify(h, body) == nil &&
			!strings.EqualFold(strings.TrimSpace(sig), zammadfake.Sign(fixtureSecret, body)) {
			t.Fatalf("verified %q, which is not the signature of the body", sig)
		}
	})
}
