package ticketstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// twentyEvents is one ticket's life: created, answered, paused, reopened, re-prioritised.
func twentyEvents() []helpdesk.Event {
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	states := []string{"new", "open", "pending reminder", "open", "closed"}
	var out []helpdesk.Event
	for i := 0; i < 20; i++ {
		ev := helpdesk.Event{
			Helpdesk: "zammad", DeliveryID: fmt.Sprintf("d-%02d", i),
			Ticket: helpdesk.Ticket{ID: "4711", Number: "31004711", Title: "Shop", State: states[i%len(states)],
				Priority: sla.Priorities[i%3], CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * 7 * time.Minute)},
		}
		if i%2 == 0 {
			ev.Article = &helpdesk.Article{ID: fmt.Sprint(500 + i), Sender: helpdesk.SenderCustomer,
				Channel: helpdesk.ChannelEmail, Body: "text", CreatedAt: ev.Ticket.UpdatedAt}
		}
		out = append(out, ev)
	}
	return out
}

// appendEvent stores ev as the worker does: load, take it in, persist.
func appendEvent(t testing.TB, s *Store, ev helpdesk.Event) bool {
	t.Helper()
	ctx := context.Background()
	k := Key(ev.Helpdesk, ev.Ticket.ID)
	rec, err := s.Load(ctx, k)
	if errors.Is(err, ErrNoTicket) {
		rec, err = NewRecord(k), nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Add(ev); err != nil {
		t.Fatal(err)
	}
	p, err := s.Persist(ctx, rec, Change{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Added
}

func TestShuffledDeliveriesGiveTheSameLogAsOrdered(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	l := New(rdb)
	for _, ev := range twentyEvents() {
		appendEvent(t, l, ev)
	}
	ordered, err := l.Load(ctx, "zammad:4711")
	if err != nil {
		t.Fatal(err)
	}
	if len(ordered.Events) != 20 {
		t.Fatalf("%d events stored, want 20", len(ordered.Events))
	}
	for seed := uint64(1); seed <= 5; seed++ {
		rdb.FlushAll(ctx)
		evs := twentyEvents()
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		for _, ev := range evs {
			appendEvent(t, l, ev)
		}
		shuffled, err := l.Load(ctx, "zammad:4711")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ordered.Events, shuffled.Events); diff != "" {
			t.Errorf("seed %d: shuffled deliveries give another log (-ordered +shuffled):\n%s", seed, diff)
		}
	}
}

func TestTheSameEventIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	l := New(redistest.Client(t))
	ev := twentyEvents()[4]
	for i, delivery := range []string{"a", "a", "b"} { // a redelivery, then the same snapshot under a new id
		ev.DeliveryID = delivery
		if added := appendEvent(t, l, ev); added != (i == 0) {
			t.Errorf("append %d (delivery %s): added=%v", i, delivery, added)
		}
	}
	rec, err := l.Load(ctx, "zammad:4711")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Events) != 1 {
		t.Errorf("%d events stored, want 1", len(rec.Events))
	}
}

func TestMarksAreIssuedInOrderAndWrittenOnce(t *testing.T) {
	ctx := context.Background()
	l := New(redistest.Client(t))
	ev := twentyEvents()[0]
	k := Key(ev.Helpdesk, ev.Ticket.ID)
	appendEvent(t, l, ev)
	issue := func(marks ...string) Persisted {
		t.Helper()
		rec, err := l.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		ch := Change{}
		for _, m := range marks {
			ch.Issue = append(ch.Issue, Issue{Mark: m, Write: helpdesk.Write{Note: "note of " + m}})
		}
		p, err := l.Persist(ctx, rec, ch)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := issue("correction", "confirmation"); !cmp.Equal(p.Issued, []string{"correction", "confirmation"}) || p.LastIssued != 2 {
		t.Errorf("first issue: %+v", p)
	}
	if p := issue("correction", "over-quota"); !cmp.Equal(p.Issued, []string{"over-quota"}) || p.LastIssued != 3 {
		t.Errorf("second issue: %+v; want only over-quota new, as number 3", p)
	}
	rec, _ := l.Load(ctx, k)
	if got := rec.Unwritten(); !cmp.Equal(got, []string{"correction", "confirmation", "over-quota"}) {
		t.Errorf("unwritten %v", got)
	}
	if rec.Pending["over-quota"].Write.Note != "note of over-quota" || rec.Pending["over-quota"].Version != 1 {
		t.Errorf("pending write of over-quota: %+v", rec.Pending["over-quota"])
	}
	first, _ := l.MarkWritten(ctx, k, "correction", time.Now())
	second, _ := l.MarkWritten(ctx, k, "correction", time.Now())
	if !first || second {
		t.Errorf("MarkWritten twice: %v, %v; want true then false", first, second)
	}
	rec, _ = l.Load(ctx, k)
	if _, pending := rec.Pending["correction"]; pending || !cmp.Equal(rec.Unwritten(), []string{"confirmation", "over-quota"}) {
		t.Errorf("after writing the correction: pending %v, unwritten %v", rec.Pending, rec.Unwritten())
	}
}

// A persist over a log that gained an event since it was read writes nothing of the
// ticket and says so; the caller evaluates again.
func TestPersistRefusesAStaleRecord(t *testing.T) {
	ctx := context.Background()
	l := New(redistest.Client(t))
	evs := twentyEvents()
	appendEvent(t, l, evs[0])
	stale, err := l.Load(ctx, "zammad:4711")
	if err != nil {
		t.Fatal(err)
	}
	appendEvent(t, l, evs[1]) // another worker
	if _, err := stale.Add(evs[2]); err != nil {
		t.Fatal(err)
	}
	_, err = l.Persist(ctx, stale, Change{Issue: []Issue{{Mark: "confirmation"}}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("persist of a stale record: %v, want ErrConflict", err)
	}
	rec, _ := l.Load(ctx, "zammad:4711")
	if len(rec.Events) != 2 || len(rec.Issued) != 0 {
		t.Errorf("the refused persist wrote: %d events, issued %v", len(rec.Events), rec.Issued)
	}
}

// Each ticket on the board keeps its next check to the millisecond, for re-arming.
func TestTimersKeepTheNextCheck(t *testing.T) {
	ctx := context.Background()
	l := New(redistest.Client(t))
	at := time.Date(2026, 12, 4, 9, 0, 0, 123e6, time.UTC)
	for i, next := range []time.Time{at.Add(time.Second), at, {}} {
		rec := NewRecord(Key("zammad", fmt.Sprint(i)))
		ev := twentyEvents()[0]
		ev.Ticket.ID = fmt.Sprint(i)
		if _, err := rec.Add(ev); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Persist(ctx, rec, Change{NextCheck: next, BoardAt: next}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Timers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Timer{{Ticket: "zammad:1", At: at}, {Ticket: "zammad:0", At: at.Add(time.Second)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timers (-want +got):\n%s", diff)
	}
	rec, _ := l.Load(ctx, "zammad:1")
	if !rec.NextCheck.Equal(at) {
		t.Errorf("record's next check %v, want %v", rec.NextCheck, at)
	}
}

// One worker at a time writes a ticket's marks.
func TestWriteLockIsExclusive(t *testing.T) {
	ctx := context.Background()
	l := New(redistest.Client(t))
	appendEvent(t, l, twentyEvents()[0])
	a, rec, err := l.LockWrites(ctx, "zammad:4711", time.Minute)
	if err != nil || a == nil || len(rec.Events) != 1 {
		t.Fatalf("first lock: %v %v %v", a, rec, err)
	}
	if b, _, err := l.LockWrites(ctx, "zammad:4711", time.Minute); b != nil || err != nil {
		t.Fatalf("second lock while held: %v %v", b, err)
	}
	if ok, err := a.Extend(ctx); !ok || err != nil {
		t.Errorf("extend: %v %v", ok, err)
	}
	a.Release(ctx)
	if c, _, err := l.LockWrites(ctx, "zammad:4711", time.Minute); c == nil || err != nil {
		t.Fatalf("lock after release: %v %v", c, err)
	}
}

func TestCompactKeepsOnlyTheCustomersTextShort(t *testing.T) {
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'ä' % 128
	}
	ev := helpdesk.Event{Article: &helpdesk.Article{Sender: helpdesk.SenderAgent, Body: "internal details"}}
	if got := compact(ev).Article.Body; got != "" {
		t.Errorf("an agent's article body is kept: %q", got)
	}
	ev.Article = &helpdesk.Article{Sender: helpdesk.SenderCustomer, Body: "Grüße " + string(long)}
	if got := compact(ev).Article.Body; len(got) > maxBodyStored || got[:7] != "Grüße" {
		t.Errorf("customer body kept as %d bytes starting %q", len(got), got[:10])
	}
}

// An event reads back from the log as it was taken in (but for what compact drops), with
// the delivery that brought it and when (the ticket view shows them).
func TestStoredEventRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 123e6, time.UTC)
	for _, ev := range []helpdesk.Event{
		{Ticket: helpdesk.Ticket{ID: "1", Channel: helpdesk.ChannelWeb, CreatedAt: at, UpdatedAt: at},
			Article: &helpdesk.Article{ID: "2", Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelWeb, CreatedAt: at, Body: "x"}},
		{Ticket: helpdesk.Ticket{ID: "1", Channel: helpdesk.ChannelWeb, CreatedAt: at, UpdatedAt: at.Add(time.Second)},
			Article: &helpdesk.Article{ID: "3", Sender: helpdesk.SenderAgent, CreatedAt: at}},
		{Ticket: helpdesk.Ticket{ID: "1", CreatedAt: at, UpdatedAt: at},
			Article: &helpdesk.Article{ID: "4", Sender: helpdesk.SenderAgent, Channel: helpdesk.ChannelNote}},
		// The delivery in each of its forms, and when it arrived (ms, before or after the snapshot).
		{DeliveryID: "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b", ReceivedAt: at.Add(350 * time.Millisecond),
			Ticket: helpdesk.Ticket{ID: "1", CreatedAt: at, UpdatedAt: at}},
		{DeliveryID: "3F2B8C1E-9A4D-4E6F-8B2A-1C3D5E7F9A0B", ReceivedAt: at.Add(-2 * time.Second),
			Ticket: helpdesk.Ticket{ID: "1", CreatedAt: at, UpdatedAt: at}},
		{DeliveryID: "catchup:" + fmt.Sprint(at.UnixNano()) + ":5", ReceivedAt: at.Add(time.Hour),
			Ticket:  helpdesk.Ticket{ID: "1", CreatedAt: at, UpdatedAt: at},
			Article: &helpdesk.Article{ID: "5", Sender: helpdesk.SenderAgent, CreatedAt: at}},
		{DeliveryID: "catchup:" + fmt.Sprint(at.UnixNano()) + ":-", ReceivedAt: at,
			Ticket: helpdesk.Ticket{ID: "1", CreatedAt: at, UpdatedAt: at}},
		{DeliveryID: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ReceivedAt: at,
			Ticket: helpdesk.Ticket{ID: "1", CreatedAt: at}},
	} {
		b, err := json.Marshal(store(ev))
		if err != nil {
			t.Fatal(err)
		}
		var se storedEvent
		if err := json.Unmarshal(b, &se); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ev, se.event("", "1")); diff != "" {
			t.Errorf("%s read back (-in +out):\n%s", b, diff)
		}
	}
}
