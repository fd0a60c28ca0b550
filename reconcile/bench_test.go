package reconcile

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/ticketstore"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// roundTrips counts the client's round trips to Redis: one per command, one per pipeline.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// BenchmarkPassOver10000ChangedTickets is one catch-up pass over 10 000 tickets that
// changed while no webhook arrived (each created with its first article and never seen):
// 50 search pages, a history and an articles request per ticket to the fake Zammad, and
// one task of recovered events per ticket. It reports the Redis round trips per ticket.
//
//	go test -run '^$' -bench BenchmarkPassOver10000ChangedTickets -benchtime 1x ./reconcile
func BenchmarkPassOver10000ChangedTickets(b *testing.B) {
	const n = 10000
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	at := t0
	z := zammadfake.Start(b, zammadfake.Options{Clock: func() time.Time { return at }})
	for i := 0; i < n; i++ {
		at = t0.Add(time.Duration(i) * time.Second)
		z.Create(zammadfake.Ticket{ID: 1 + i, Title: "t" + strconv.Itoa(i), CustomerID: 100000 + i,
			CustomerEmail: "k" + strconv.Itoa(i) + "@example.at"}, zammadfake.Article{Body: "Eine Frage."})
	}
	a, err := zammad.New(zammad.Config{BaseURL: z.URL, Token: z.Token, HTTPClient: z.Client()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		rdb := redistest.Client(b)
		rt := &roundTrips{}
		rdb.AddHook(rt)
		q := asynq.NewClientFromRedisClient(rdb)
		r, err := New(Config{Helpdesk: a, Redis: rdb, Queue: q, Store: ticketstore.New(rdb),
			Clock: func() time.Time { return at }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := r.Pass(ctx, t0.Add(-time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Examined != n || res.Tickets != n {
			b.Fatalf("examined %d, fed %d; want %d", res.Examined, res.Tickets, n)
		}
		b.ReportMetric(float64(rt.n.Load())/n, "redis-round-trips/ticket")
		b.ReportMetric(time.Since(start).Seconds(), "s/pass")
		q.Close()
		b.StartTimer()
	}
}
