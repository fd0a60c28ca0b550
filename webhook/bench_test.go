package webhook_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/tasks"
)

func benchPayload() []byte {
	created := time.Date(2026, 11, 25, 9, 5, 12, 0, time.UTC)
	return zammadfake.Payload{
		Ticket: zammadfake.Ticket{ID: 4711, Title: "VPN drops", State: "open", CustomerID: 12,
			CustomerEmail: "max.kunde@customer.example", OrganizationID: 5, OrganizationName: "Customer Corp",
			CreatedAt: created, UpdatedAt: created.Add(time.Hour)},
		Article: &zammadfake.Article{ID: 503, Sender: "Customer", Type: "email", Subject: "RE: VPN drops",
			Body: "still dropping", CreatedAt: created.Add(time.Hour), CreatedByID: 12},
	}.JSON()
}

// BenchmarkWebhook is one signed Zammad delivery through echo: read, verify, parse,
// enqueue on a real Redis; every delivery has its own id so each one is queued.
func BenchmarkWebhook(b *testing.B) {
	r := newRig(b, redistest.Addr(b), "s3cret", nil)
	body := benchPayload()
	hdr := zammadfake.Headers(body, "s3cret", "", "bench")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		hdr.Set("X-Zammad-Delivery", "bench-"+strconv.Itoa(i))
		if rec := r.post("/webhooks/zammad", body, hdr); rec.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkBareEnqueue is the floor BenchmarkWebhook is measured against: the same event
// enqueued directly, without HTTP, verification or parsing.
func BenchmarkBareEnqueue(b *testing.B) {
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: redistest.Addr(b)})
	b.Cleanup(func() { client.Close() })
	ev := helpdesk.Event{Helpdesk: "zammad", Ticket: helpdesk.Ticket{ID: "4711", Title: "VPN drops"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ev.DeliveryID = "bare-" + strconv.Itoa(i)
		task, err := tasks.NewEvent(ev)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := client.EnqueueContext(context.Background(), task); err != nil {
			b.Fatal(err)
		}
	}
}
