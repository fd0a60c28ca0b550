package jobs

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// onceRig is a fake Zammad with ticket 4711, a worker on a real Redis whose adapter
// writes to it, and the ticket's first evaluation done: its marks issued, none written.
type onceRig struct {
	fake *zammadfake.Server
	z    *zammad.Adapter
	rdb  redis.UniversalClient
	key  string
	lose func(*http.Request) bool // requests Zammad takes but whose answer is lost
	// pending are the marks' writes as the first evaluation issued them.
	pending map[string]ticketstore.Pending
}

func newOnceRig(t *testing.T) *onceRig {
	t.Helper()
	fake := zammadfake.Start(t, zammadfake.Options{})
	r := &onceRig{fake: fake, rdb: redistest.Client(t), key: ticketstore.Key("zammad", "4711")}
	// In front of the fake, a gateway that may lose the helpdesk's answer (lose).
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if r.lose != nil && r.lose(req) {
			fake.ServeHTTP(httptest.NewRecorder(), req)   // Zammad takes it ...
			rw.WriteHeader(http.StatusServiceUnavailable) // ... the answer is lost
			return
		}
		fake.ServeHTTP(rw, req)
	}))
	t.Cleanup(proxy.Close)
	z, err := zammad.New(zammad.Config{BaseURL: proxy.URL, Token: fake.Token})
	if err != nil {
		t.Fatal(err)
	}
	r.z = z
	w := r.worker(t)
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
	rec, _, err := w.process(context.Background(), r.key, &evs[0])
	if err != nil {
		t.Fatal(err)
	}
	r.pending = maps.Clone(rec.Pending)
	return r
}

// worker is one slaguard worker process on the rig's Redis and helpdesk.
func (r *onceRig) worker(t *testing.T) *Worker {
	t.Helper()
	q := asynq.NewClientFromRedisClient(r.rdb)
	t.Cleanup(func() { q.Close() })
	w, err := New(Config{Redis: r.rdb, Queue: q, Contracts: contracts.NewRepo(r.rdb, nil),
		Adapters: map[string]helpdesk.Adapter{"zammad": r.z}, Classifier: rulesfile.Default()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// runWrite runs the ticket's write task on w as asynq would.
func (r *onceRig) runWrite(w *Worker) error {
	b, _ := json.Marshal(writePayload{Ticket: helpdesk.TicketRef{Helpdesk: "zammad", ID: "4711"}})
	return w.handleWrite(context.Background(), asynq.NewTask(tasks.TypeWrite, b))
}

// articles counts the ticket's articles in the fake by body.
func (r *onceRig) articles() map[string]int {
	n := map[string]int{}
	for _, a := range r.fake.Articles(4711) {
		n[a.Body]++
	}
	return n
}

// check fails t unless the fake has each of the ticket's notes and replies exactly once
// and every mark is recorded written.
func (r *onceRig) check(t *testing.T) {
	t.Helper()
	rec, err := ticketstore.New(r.rdb).Load(context.Background(), r.key)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Unwritten()) != 0 || len(rec.Written) != len(rec.Issued) {
		t.Errorf("unwritten marks %v", rec.Unwritten())
	}
	n := r.articles()
	if len(r.pending) != 2 {
		t.Fatalf("the ticket's first evaluation issued %d marks, want the correction and the confirmation", len(r.pending))
	}
	for mark, p := range r.pending {
		for _, body := range []string{p.Write.Note, p.Write.Reply} {
			if body != "" && n[body] != 1 {
				t.Errorf("%s: the helpdesk has its article %d times, want once", mark, n[body])
			}
		}
	}
}

// A worker killed (kill -9) after Zammad took its writes and before it recorded them
// leaves the marks pending and its write lock to expire. The worker that takes the lock
// next finds on the ticket what the dead one wrote, records it written and writes the
// note and the confirmation no second time.
func TestAWriteOfAWorkerKilledBeforeRecordingItIsNotMadeAgain(t *testing.T) {
	r := newOnceRig(t)
	ctx := context.Background()
	store := ticketstore.New(r.rdb)
	// The dead worker: it took the lock, Zammad took every write, and it died.
	lock, rec, err := store.LockWrites(ctx, r.key, writeLockTTL)
	if err != nil || lock == nil {
		t.Fatal(lock, err)
	}
	ref := helpdesk.TicketRef{Helpdesk: "zammad", ID: "4711"}
	for _, m := range rec.Unwritten() {
		if err := r.z.Apply(ctx, ref, rec.Pending[m].Write); err != nil {
			t.Fatal(err)
		}
	}
	r.rdb.Del(ctx, "slaguard:wlock:{"+r.key+"}") // its lock expires
	if err := r.runWrite(r.worker(t)); err != nil {
		t.Fatal(err)
	}
	r.check(t)
}

// A worker killed after it took the write lock and before its first write reached the
// helpdesk leaves the lock unsure, and the helpdesk without anything of slaguard's. The
// next holder's read of the ticket's articles finds no such ticket (Zammad's 404: here
// the fake knows a ticket only from writes to it, as the bench's fake does; in Zammad a
// ticket deleted meanwhile): that is nothing posted, and every write goes out once. It
// must not fail the batch: a retry would read the same 404, and the confirmation would
// end in the archive unsent.
func TestATakeoverWhoseTicketHasNoArticlesYetWritesEverythingOnce(t *testing.T) {
	r := newOnceRig(t)
	ctx := context.Background()
	lock, _, err := ticketstore.New(r.rdb).LockWrites(ctx, r.key, writeLockTTL)
	if err != nil || lock == nil {
		t.Fatal(lock, err)
	}
	r.rdb.Del(ctx, "slaguard:wlock:{"+r.key+"}") // the holder died before writing; its lock expires
	if err := r.runWrite(r.worker(t)); err != nil {
		t.Fatal(err)
	}
	r.check(t)
}

// A note Zammad took while its answer was lost (a 503 from a gateway, a timeout) is not
// posted again when the task is retried; the reply after it goes out once.
func TestARetryAfterALostAnswerDoesNotPostTheNoteAgain(t *testing.T) {
	r := newOnceRig(t)
	r.lose = func(req *http.Request) bool { return req.Method == http.MethodPut }
	w := r.worker(t)
	if err := r.runWrite(w); err == nil {
		t.Fatal("the write whose answer was lost succeeded")
	}
	r.lose = nil
	if err := r.runWrite(w); err != nil {
		t.Fatal(err)
	}
	r.check(t)
}

// Zendesk gets a ticket's marks merged into one write: the priority with the note in one
// update, the confirmation in the next. When the note landed and the confirmation failed
// (503), the retry sends only the confirmation.
func TestARetryOfAMergedWriteWhoseReplyFailedSendsOnlyTheReply(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	fake := zendeskfake.Start(t, zendeskfake.Options{
		Users: []zendeskfake.User{{ID: 12, Email: "max@load.example", Role: "end-user"}},
		Orgs:  []zendeskfake.Organization{{ID: 5, Name: "Load Corp"}},
		Tickets: []zendeskfake.Ticket{{ID: 4711, Subject: "Frage", Status: "new", Priority: "normal",
			RequesterID: 12, OrganizationID: 5, Via: "web", CreatedAt: now, UpdatedAt: now}},
	})
	fake.AddComment(zendeskfake.Comment{TicketID: 4711, AuthorID: 12, Public: true, Body: "Eine Frage zum Shop.",
		Via: "web", CreatedAt: now})
	var puts atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPut && req.URL.Path == "/api/v2/tickets/4711.json" && puts.Add(1) == 2 {
			rw.WriteHeader(http.StatusServiceUnavailable) // the reply, after the note landed
			return
		}
		fake.ServeHTTP(rw, req)
	}))
	t.Cleanup(proxy.Close)
	zd, err := zendesk.New(zendesk.Config{BaseURL: proxy.URL, Email: fake.Email, Token: fake.Token})
	if err != nil {
		t.Fatal(err)
	}
	rdb := redistest.Client(t)
	q := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { q.Close() })
	w, err := New(Config{Redis: rdb, Queue: q, Contracts: contracts.NewRepo(rdb, nil),
		Adapters: map[string]helpdesk.Adapter{"zendesk": zd}, Classifier: rulesfile.Default()})
	if err != nil {
		t.Fatal(err)
	}
	yes, all := true, map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
	if _, err := w.cfg.Contracts.Create(ctx, contracts.Spec{Customer: "Load Corp", Plan: "sla1",
		StartsOn: "2020-01-01", Organizations: []string{"Load Corp"}, Calendar: sla.CalendarSpec{Preset: "24x7"},
		FirstResponse: all, Resolution: all, Confirmation: &yes}); err != nil {
		t.Fatal(err)
	}
	ev, err := zd.ReadBack(ctx, helpdesk.Event{Helpdesk: "zendesk", DeliveryID: "d-1", Ticket: helpdesk.Ticket{ID: "4711"}})
	if err != nil {
		t.Fatal(err)
	}
	key := ticketstore.Key("zendesk", "4711")
	rec, _, err := w.process(ctx, key, &ev)
	if err != nil {
		t.Fatal(err)
	}
	var note, reply string
	for _, m := range rec.Unwritten() {
		note, reply = note+rec.Pending[m].Write.Note, reply+rec.Pending[m].Write.Reply
	}
	if note == "" || reply == "" {
		t.Fatalf("want a batch with a note and a reply, have %v", rec.Pending)
	}
	b, _ := json.Marshal(writePayload{Ticket: helpdesk.TicketRef{Helpdesk: "zendesk", ID: "4711"}})
	task := asynq.NewTask(tasks.TypeWrite, b)
	if err := w.handleWrite(ctx, task); err == nil {
		t.Fatal("the write whose reply failed succeeded")
	}
	if err := w.handleWrite(ctx, task); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, c := range fake.Comments(4711) {
		n[c.Body]++
	}
	if n[note] != 1 || n[reply] != 1 {
		t.Errorf("the note is on the ticket %d times and the reply %d times, want once each", n[note], n[reply])
	}
	if rec, err := w.store.Load(ctx, key); err != nil || len(rec.Unwritten()) != 0 {
		t.Errorf("unwritten after the retry: %v %v", rec.Unwritten(), err)
	}
}
