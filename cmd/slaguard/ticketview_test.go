package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/ticketapi"
)

// The ticket view names, for each event, the delivery that brought it in and when
// slaguard accepted it — the ids the log lines carry — instead of "" and year 1.
func TestTicketViewShowsEachEventsDeliveryAndWhenItArrived(t *testing.T) {
	created := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	arrived := created.Add(1500 * time.Millisecond)
	s := startService(t, serviceOptions{clock: func() time.Time { return arrived }})
	const delivery = "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b"
	p := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 31, Number: "31000031", Title: "Hallo", State: "new",
		Priority: "2 normal", CustomerEmail: "office@example.at", CreateArticleType: "web",
		CreatedAt: created, UpdatedAt: created}}
	if code := s.deliver(p, delivery); code != http.StatusAccepted {
		t.Fatalf("webhook: %d", code)
	}
	eventually(t, 10*time.Second, "the event in the ticket view", func() bool {
		return s.api(http.MethodGet, "/api/v1/tickets/zammad/31", nil, nil) == http.StatusOK
	})
	var v ticketapi.TicketView
	if code := s.api(http.MethodGet, "/api/v1/tickets/zammad/31", nil, &v); code != http.StatusOK || len(v.Events) == 0 {
		t.Fatalf("ticket view: %d, %d events", code, len(v.Events))
	}
	// Later events are slaguard's own writes coming back from the fake Zammad.
	for i, ev := range v.Events {
		if ev.DeliveryID == "" || ev.ReceivedAt.IsZero() {
			t.Errorf("event %d: delivery_id %q, received_at %s", i, ev.DeliveryID, ev.ReceivedAt)
		}
	}
	ev := v.Events[0]
	if ev.DeliveryID != delivery {
		t.Errorf("delivery_id = %q, want %q", ev.DeliveryID, delivery)
	}
	if !ev.ReceivedAt.Equal(arrived) {
		t.Errorf("received_at = %s, want %s", ev.ReceivedAt, arrived)
	}
}
