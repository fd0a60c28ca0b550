package zammad_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/monobunt/slaguard/helpdesk"
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

// FuzzRoute: what the webhook door lets through makes an event with Zammad's kind of
// ticket id and a creation time; what it refuses as an invalid event names a field.
func FuzzRoute(f *testing.F) {
	for _, name := range fixtureFiles {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"ticket":{"id":"abc"}}`))
	f.Add([]byte(`{"ticket":{"id":4711.0,"created_at":"2026-12-02T08:00:00Z"},"article":{"id":"7"}}`))
	a, err := zammad.New(zammad.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := a.Route(http.Header{}, body)
		var inv *helpdesk.InvalidEvent
		if errors.As(err, &inv) && (len(inv.Fields) == 0 || inv.Fields[0].Field == "") {
			t.Fatalf("invalid event without a field: %v", err)
		}
		if err != nil {
			return
		}
		evs, err := a.Parse(http.Header{}, body)
		if err != nil {
			return // a field the door does not read; the worker archives it
		}
		ev := evs[0]
		if ev.Ticket.ID != d.TicketID || !helpdesk.NumericID(ev.Ticket.ID) || ev.Ticket.CreatedAt.IsZero() {
			t.Fatalf("routed %q, parsed ticket %q created %v", d.TicketID, ev.Ticket.ID, ev.Ticket.CreatedAt)
		}
		if ev.Article != nil && (!helpdesk.NumericID(ev.Article.ID) || ev.Article.CreatedAt.IsZero()) {
			t.Fatalf("article %q created %v", ev.Article.ID, ev.Article.CreatedAt)
		}
	})
}
