package jobs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// TestADeliveryFailingWhileRedisRestartsIsAppliedWhenItIsBack stops Redis (SIGTERM, AOF)
// under a queued webhook delivery while the worker runs it, so the handler's reads fail,
// and starts it again six seconds later. The delivery must be applied within seconds
// of Redis being back. Handed straight to asynq, the failure could not be recorded
// (Redis down) and the task stayed in asynq's active list until its lease recovery, one
// to two minutes later.
func TestADeliveryFailingWhileRedisRestartsIsAppliedWhenItIsBack(t *testing.T) {
	r := newRestartRig(t)
	w, q := scaleWorker(t, r.rdb)
	task, err := tasks.NewDelivery(questionDelivery(time.Now().UTC()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	// Redis goes away the moment the delivery reaches the worker, before its handler reads.
	upAt := r.run(w, func(tk *asynq.Task) {
		if tk.Type() == tasks.TypeDelivery {
			once.Do(r.outage)
		}
	})
	r.within(upAt, 15*time.Second, "the delivery applied", func() (bool, error) {
		rec, err := w.store.Load(context.Background(), ticketstore.Key("zammad", "4711"))
		return err == nil && len(rec.Events) == 1, err
	})
}

// TestAWriteBackMadeWhileRedisRestartsIsRecordedAndTheBatchGoesOn stops Redis when the
// first write-back of a ticket's batch reaches the helpdesk (which takes it), so the
// worker cannot record it, and starts Redis again six seconds later. Every mark of the
// batch must reach the helpdesk once and be recorded. Before, the batch task gave up at
// once (a retry would write the first mark again) and was archived: the mark stayed
// unrecorded and the marks after it were never written.
func TestAWriteBackMadeWhileRedisRestartsIsRecordedAndTheBatchGoesOn(t *testing.T) {
	r := newRestartRig(t)
	fake := zammadfake.Start(t, zammadfake.Options{})
	var once sync.Once
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet {
			once.Do(r.outage)
		}
		fake.ServeHTTP(rw, req)
	}))
	t.Cleanup(proxy.Close)
	z, err := zammad.New(zammad.Config{BaseURL: proxy.URL, Token: fake.Token})
	if err != nil {
		t.Fatal(err)
	}
	q := asynq.NewClientFromRedisClient(r.rdb)
	t.Cleanup(func() { q.Close() })
	w, err := New(Config{Redis: r.rdb, Queue: q, Contracts: contracts.NewRepo(r.rdb, nil),
		Adapters: map[string]helpdesk.Adapter{"zammad": z}, Classifier: rulesfile.Default()})
	if err != nil {
		t.Fatal(err)
	}
	// A contract with the real-time confirmation: the batch holds the priority
	// correction and the confirmation.
	yes, all := true, map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
	if _, err := w.cfg.Contracts.Create(context.Background(), contracts.Spec{Customer: "Load Corp", Plan: "sla1",
		StartsOn: "2020-01-01", Organizations: []string{"Load Corp"}, Calendar: sla.CalendarSpec{Preset: "24x7"},
		FirstResponse: all, Resolution: all, Confirmation: &yes}); err != nil {
		t.Fatal(err)
	}
	d := questionDelivery(time.Now().UTC())
	evs, err := z.Parse(d.Header, d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("parse: %v %v", evs, err)
	}
	key := ticketstore.Key("zammad", "4711")
	rec, _, err := w.process(context.Background(), key, &evs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Unwritten()) < 2 {
		t.Fatalf("want a batch of at least two marks, have %v", rec.Unwritten())
	}
	upAt := r.run(w, func(*asynq.Task) {})
	r.within(upAt, 20*time.Second, "every mark written and recorded", func() (bool, error) {
		rec, err := w.store.Load(context.Background(), key)
		return err == nil && len(rec.Unwritten()) == 0 && len(rec.Written) == len(rec.Issued), err
	})
	seen := map[string]bool{}
	for _, req := range fake.Requests() {
		if req.Method == http.MethodGet {
			continue
		}
		k := req.Method + " " + req.Path + " " + string(req.Raw)
		if seen[k] {
			t.Errorf("written twice: %s", k)
		}
		seen[k] = true
	}
}

// restartRig is a redis-server of the test's own that a test stops under the worker
// (outage: SIGTERM now, started again six seconds later) and the asynq server that
// runs the worker's tasks on it.
type restartRig struct {
	t    *testing.T
	srv  *redistest.Server
	rdb  *redis.Client
	back chan time.Time
}

func newRestartRig(t *testing.T) *restartRig {
	srv := redistest.Start(t)
	if !srv.Real() {
		t.Skip("needs a real redis-server to restart")
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	return &restartRig{t: t, srv: srv, rdb: rdb, back: make(chan time.Time, 1)}
}

// outage stops Redis and starts it again six seconds later, longer than go-redis
// retries a command: what the worker does meanwhile fails.
func (r *restartRig) outage() {
	r.srv.Stop()
	go func() {
		time.Sleep(6 * time.Second)
		if err := r.srv.Restart(); err != nil {
			r.t.Error(err)
		}
		r.back <- time.Now()
	}()
}

// run starts an asynq server with the worker's handlers (w.Register) as slaguard's
// worker does; before each task it calls before. It returns when Redis is back after
// an outage.
func (r *restartRig) run(w *Worker, before func(*asynq.Task)) time.Time {
	mux := asynq.NewServeMux()
	w.Register(mux)
	as := asynq.NewServerFromRedisClient(r.rdb, asynq.Config{Concurrency: 4, Queues: tasks.Queues,
		RetryDelayFunc: RetryDelay, IsFailure: IsFailure, DelayedTaskCheckInterval: 100 * time.Millisecond,
		TaskCheckInterval: tasks.TaskCheckInterval, LogLevel: asynq.FatalLevel})
	if err := as.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		before(t)
		return mux.ProcessTask(ctx, t)
	})); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(as.Shutdown)
	select {
	case at := <-r.back:
		return at
	case <-time.After(30 * time.Second):
		r.t.Fatal("no outage within 30 s, or Redis did not come back")
		return time.Time{}
	}
}

// within waits until done reports true, failing the test when limit has passed since up.
func (r *restartRig) within(up time.Time, limit time.Duration, what string, done func() (bool, error)) {
	r.t.Helper()
	for {
		ok, err := done()
		if ok {
			r.t.Logf("%s %s after Redis was back", what, time.Since(up).Round(time.Millisecond))
			return
		}
		if time.Since(up) > limit {
			r.t.Fatalf("not %s within %s of Redis coming back (%v)", what, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// questionDelivery is a webhook delivery of a new web ticket 4711 asking a question at
// priority "2 normal" (the classifier corrects it to low).
func questionDelivery(now time.Time) tasks.Delivery {
	tk := zammadfake.Ticket{ID: 4711, Title: "Frage", State: "new", Priority: "2 normal", OrganizationID: 5,
		OrganizationName: "Load Corp", CustomerID: 12, CustomerEmail: "max@load.example",
		CreateArticleType: "web", CreatedAt: now, UpdatedAt: now}
	body := zammadfake.Payload{Ticket: tk, Article: &zammadfake.Article{ID: 47111, TicketID: 4711,
		Sender: "Customer", Type: "web", Subject: "Frage", Body: "Eine Frage zum Shop.", CreatedAt: now, CreatedByID: 12}}.JSON()
	return tasks.Delivery{Helpdesk: "zammad", ReceivedAt: now, Body: body,
		Delivery: helpdesk.Delivery{ID: "d-4711", TicketID: "4711", Header: zammadfake.Headers(body, "", "d-4711", "slaguard")}}
}
