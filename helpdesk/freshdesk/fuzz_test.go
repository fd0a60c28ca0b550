package freshdesk_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/monobunt/slaguard/helpdesk/freshdesk"
)

// FuzzParse: no input panics, and every hint Parse returns can be queued and names its
// helpdesk, delivery and a numeric ticket, with a valid priority.
func FuzzParse(f *testing.F) {
	f.Add(fixture(f, "ticket_created.json"))
	f.Add(fixture(f, "ticket_updated.json"))
	f.Add([]byte(`{"freshdesk_webhook":{"ticket_id":17,"ticket_tags":["a",1,null]}}`))
	a, err := freshdesk.New(freshdesk.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := a.Parse(http.Header{}, body)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.Helpdesk != "freshdesk" || ev.DeliveryID == "" || ev.Ticket.ID == "" {
				t.Fatalf("incomplete event %+v", ev)
			}
			for _, r := range ev.Ticket.ID {
				if r < '0' || r > '9' {
					t.Fatalf("ticket id %q", ev.Ticket.ID)
				}
			}
			if _, err := json.Marshal(ev); err != nil {
				t.Fatal(err)
			}
			if !ev.Ticket.Priority.Valid() {
				t.Fatalf("priority %q", ev.Ticket.Priority)
			}
		}
	})
}
