package jobs

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// BenchmarkProcessEvent runs the worker's steps for one event on real Redis (load,
// decide with the contract match, evaluate, arm, persist, enqueue the write-backs) as
// the bench suite's load does: tickets of a customer under a 24/7 contract, each created
// and then answered by an agent, so every second op is a new ticket. It reports the Redis
// round trips per event (asynq's enqueues included) and the Redis server's processor time
// per event (it shares the worker's cores).
//
//	go test -run '^$' -bench BenchmarkProcessEvent -benchmem ./jobs
func BenchmarkProcessEvent(b *testing.B) {
	rdb := redistest.Client(b)
	var trips atomic.Int64
	rdb.AddHook(tripCounter{&trips})
	w, _ := scaleWorker(b, rdb)
	ctx := context.Background()
	all := func(d string) map[string]string {
		return map[string]string{"low": d, "medium": d, "high": d, "critical": d}
	}
	quota, rate, atRisk, yes := 100000, int64(9600), 75, true
	if _, err := w.cfg.Contracts.Create(ctx, contracts.Spec{Customer: "Load Corp", Plan: "sla1", StartsOn: "2020-01-01",
		Organizations: []string{"Load Corp"}, Calendar: sla.CalendarSpec{Preset: "24x7"},
		FirstResponse: all("4h"), Resolution: all("72h"), QuotaPerMonth: &quota, HourlyRateCents: &rate,
		AtRiskPercent: &atRisk, Confirmation: &yes, EmergencyPhone: "+43 1 234 56 78"}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	trips.Store(0)
	cpu := redistest.CPU(b, rdb)
	i := 0
	for b.Loop() {
		id := strconv.Itoa(40000 + i/2)
		ev := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d" + strconv.Itoa(i), ReceivedAt: now,
			Ticket: helpdesk.Ticket{ID: id, Number: "4" + id, Title: "Frage", State: "new", Priority: sla.Medium,
				OrganizationID: "5", OrganizationName: "Load Corp", CustomerEmail: "max@load.example",
				Channel: helpdesk.ChannelWeb, CreatedAt: now, UpdatedAt: now},
			Article: &helpdesk.Article{ID: "a" + id, Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelWeb,
				Body: "Eine Frage.", CreatedAt: now}}
		if i%2 == 1 {
			at := now.Add(time.Second)
			ev.Ticket.State, ev.Ticket.UpdatedAt = "open", at
			ev.Article = &helpdesk.Article{ID: "r" + id, Sender: helpdesk.SenderAgent, Channel: helpdesk.ChannelEmail,
				Body: "Wir sehen uns das an.", CreatedAt: at}
		}
		if _, _, err := w.process(ctx, ticketstore.Key("zammad", id), &ev); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(trips.Load())/float64(i), "roundtrips/event")
	b.ReportMetric(float64(redistest.CPU(b, rdb)-cpu)/float64(time.Microsecond)/float64(i), "redis-µs/event")
}
