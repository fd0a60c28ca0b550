package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// scaleWorker is a worker on the package's Redis with a dry-run Zammad.
func scaleWorker(t testing.TB, rdb *redis.Client) (*Worker, *asynq.Client) {
	t.Helper()
	z, err := zammad.New(zammad.Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { q.Close() })
	w, err := New(Config{Redis: rdb, Queue: q, Contracts: contracts.NewRepo(rdb, nil),
		Adapters:   map[string]helpdesk.Adapter{"zammad": helpdesk.DryRun(z, slog.New(slog.DiscardHandler))},
		Classifier: rulesfile.Default()})
	if err != nil {
		t.Fatal(err)
	}
	return w, q
}

// TestTimersAtScale arms 10 000 checks due within the next minute and measures how late
// they run (asynq's DelayedTaskCheckInterval at slaguard's default 100 ms). It takes
// about a minute and a half, so it runs only with SLAGUARD_SCALE=1:
//
//	SLAGUARD_SCALE=1 go test -run TestTimersAtScale -v ./jobs
func TestTimersAtScale(t *testing.T) {
	if os.Getenv("SLAGUARD_SCALE") == "" {
		t.Skip("set SLAGUARD_SCALE=1 to run (about 90 s)")
	}
	const n = 10000
	rdb := redistest.Client(t)
	w, _ := scaleWorker(t, rdb)
	ctx := context.Background()
	start := time.Now().Add(20 * time.Second)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * 40 * time.Second / n).Add(time.Duration(i%1000) * time.Millisecond)
		if err := w.armCheck(ctx, "zammad:"+strconv.Itoa(i), at); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var late []time.Duration
	done := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeTicketCheck, func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		p, _ := parseCheckID(id)
		now, _, _ := w.wake(context.Background(), p) // as handleCheck does, before it evaluates
		mu.Lock()
		late = append(late, now.Sub(p.At))
		if len(late) == n {
			close(done)
		}
		mu.Unlock()
		return nil
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{Concurrency: 50, Queues: tasks.Queues,
		DelayedTaskCheckInterval: 100 * time.Millisecond, TaskCheckInterval: tasks.TaskCheckInterval,
		LogLevel: asynq.ErrorLevel})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	select {
	case <-done:
	case <-time.After(start.Sub(time.Now()) + 90*time.Second):
		t.Fatalf("only %d of %d timers fired", len(late), n)
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	p := func(q float64) time.Duration { return late[int(q*float64(len(late)-1))] }
	t.Logf("%d timers: lateness p50 %s, p99 %s, max %s, earliest %s", n, p(0.5), p(0.99), late[len(late)-1], late[0])
	if late[0] < 0 {
		t.Errorf("a timer fired %s early", -late[0])
	}
	if p(0.99) > time.Second {
		t.Errorf("p99 lateness %s, goal ≤ 1 s", p(0.99))
	}
}

// TestMemoryPerOpenTicket creates open tickets through the real path (event → log →
// evaluation → timer) and measures Redis memory per ticket. SLAGUARD_SCALE=1 only:
//
//	SLAGUARD_SCALE=1 go test -run TestMemoryPerOpenTicket -v ./jobs
func TestMemoryPerOpenTicket(t *testing.T) {
	if os.Getenv("SLAGUARD_SCALE") == "" {
		t.Skip("set SLAGUARD_SCALE=1 to run")
	}
	n := 20000
	if s := os.Getenv("SLAGUARD_SCALE_TICKETS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rdb := redistest.Client(t)
	w, _ := scaleWorker(t, rdb)
	ctx := context.Background()
	rate, quota := int64(9600), 100000 // one contract for all: no ticket over quota
	if _, err := w.cfg.Contracts.Create(ctx, contracts.Spec{Customer: "Load Corp", Plan: "basic", StartsOn: "2020-01-01",
		Organizations: []string{"Load Corp"}, HourlyRateCents: &rate, QuotaPerMonth: &quota}); err != nil {
		t.Fatal(err)
	}
	used := func() int64 {
		v, err := rdb.MemoryUsage(ctx, "x").Result()
		_ = v
		_ = err
		info, _ := rdb.Info(ctx, "memory").Result()
		var mem int64
		fmt.Sscanf(info[indexOf(info, "used_memory:")+len("used_memory:"):], "%d", &mem)
		return mem
	}
	before := used()
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		ev := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d" + strconv.Itoa(i), ReceivedAt: now,
			Ticket: helpdesk.Ticket{ID: strconv.Itoa(100000 + i), Number: strconv.Itoa(31000000 + i), Title: "Bilder laden langsam",
				State: "new", Priority: sla.Low, OrganizationName: "Load Corp", CustomerEmail: "max@load.example",
				Channel: helpdesk.ChannelWeb, CreatedAt: now, UpdatedAt: now},
			Article: &helpdesk.Article{ID: strconv.Itoa(500000 + i), Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelWeb,
				Body: "Die Produktbilder laden seit gestern sehr langsam, bitte prüfen.", CreatedAt: now}}
		if _, _, err := w.process(ctx, ticketstore.Key("zammad", ev.Ticket.ID), &ev); err != nil {
			t.Fatal(err)
		}
	}
	after := used()
	per := (after - before) / int64(n)
	if testing.Verbose() {
		keys, _ := rdb.Keys(ctx, "*").Result()
		sizes := map[string]int64{}
		counts := map[string]int{}
		for _, k := range keys {
			m, _ := rdb.MemoryUsage(ctx, k).Result()
			kind := k
			if len(kind) > 24 {
				kind = kind[:24]
			}
			sizes[kind] += m
			counts[kind]++
		}
		for k, v := range sizes {
			if v > int64(n)*20 {
				t.Logf("  %-24s %6d keys %9d bytes (%d per ticket)", k, counts[k], v, v/int64(n))
			}
		}
		raw, _ := rdb.HGetAll(ctx, "slaguard:ticket:{zammad:100000}").Result()
		for f, v := range raw {
			t.Logf("  field %s: %d bytes %s", f, len(v), v)
		}
		wk, _ := rdb.Keys(ctx, "asynq:{writes}:t:*100000*").Result()
		ck, _ := rdb.Keys(ctx, "asynq:{timers}:t:*100000*").Result()
		for _, k := range ck {
			m, _ := rdb.MemoryUsage(ctx, k).Result()
			raw, _ := rdb.HGetAll(ctx, k).Result()
			t.Logf("  check task %s: %d bytes, msg %d bytes", k, m, len(raw["msg"]))
		}
		t.Logf("  write tasks of one ticket: %v", wk)
	}
	t.Logf("%d open tickets: Redis used_memory %d → %d bytes, %d bytes per ticket with its timer", n, before, after, per)
	if per > 1536 {
		t.Errorf("%d bytes per open ticket, budget 1.5 KB", per)
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return 0
}
