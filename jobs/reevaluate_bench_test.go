package jobs

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// BenchmarkReevaluateAThousandTicketsOfANewContract: 1 000 open tickets of a customer
// without contract, then a contract for the customer; one op re-evaluates all of them on
// real Redis (timers armed, marks issued, write-backs enqueued), as the task of the
// contract's version does ("batch"), and one by one as process does for an event, 32 at
// a time, as the task did before ("one-by-one"). It reports the Redis round trips per
// ticket (asynq's enqueues included).
//
//	go test -run '^$' -bench BenchmarkReevaluate -benchmem ./jobs
func BenchmarkReevaluateAThousandTicketsOfANewContract(b *testing.B) {
	const n = 1000
	rdb := redistest.Client(b)
	var trips atomic.Int64
	rdb.AddHook(tripCounter{&trips})
	w, _ := scaleWorker(b, rdb)
	ctx := context.Background()
	now := time.Now().UTC()
	seed := func() (keys []string, contractID string) {
		b.Helper()
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			id := strconv.Itoa(20000 + i)
			ev := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d" + id, ReceivedAt: now,
				Ticket: helpdesk.Ticket{ID: id, Number: "3" + id, Title: "Frage", State: "new", Priority: sla.Low,
					CustomerEmail: "chef@late.at", Channel: helpdesk.ChannelWeb, CreatedAt: now, UpdatedAt: now},
				Article: &helpdesk.Article{ID: "a" + id, Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelWeb,
					Body: "Eine Frage.", CreatedAt: now}}
			key := ticketstore.Key("zammad", id)
			if _, _, err := w.process(ctx, key, &ev); err != nil {
				b.Fatal(err)
			}
			keys = append(keys, key)
		}
		targets := map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
		c, err := w.cfg.Contracts.Create(ctx, contracts.Spec{Customer: "Late GmbH", Plan: "sla1", StartsOn: "2020-01-01",
			Domains: []string{"late.at"}, Calendar: sla.CalendarSpec{Preset: "24x7"},
			FirstResponse: targets, Resolution: targets})
		if err != nil {
			b.Fatal(err)
		}
		return keys, c.ID
	}
	for _, way := range []struct {
		name string
		run  func(keys []string, contractID string) error
	}{
		{"batch", func(_ []string, contractID string) error {
			p, _ := json.Marshal(reevaluatePayload{Contract: contractID, Version: 1})
			return w.handleReevaluate(ctx, asynq.NewTask(tasks.TypeReevaluate, p))
		}},
		{"one-by-one", func(keys []string, _ string) error {
			return inParallel(ctx, len(keys), func(ctx context.Context, i int) error {
				_, _, err := w.process(ctx, keys[i], nil)
				return err
			})
		}},
	} {
		b.Run(way.name, func(b *testing.B) {
			var total int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				keys, id := seed()
				trips.Store(0)
				b.StartTimer()
				if err := way.run(keys, id); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				total += trips.Load()
				if got, err := w.store.CountContractTickets(ctx, id); err != nil || got != n {
					b.Fatalf("%d tickets under the contract (%v), want %d", got, err, n)
				}
			}
			b.ReportMetric(float64(total)/float64(b.N)/n, "roundtrips/ticket")
		})
	}
}

// tripCounter counts the round trips to Redis: a command, or a pipeline, each.
type tripCounter struct{ n *atomic.Int64 }

func (c tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}

func (c tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}
