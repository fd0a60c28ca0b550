package ticketstore

import (
	"context"
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

func TestShuffledDeliveriesGiveTheSameLogAsOrdered(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	l := New(rdb)
	for _, ev := range twentyEvents() {
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
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
			if _, err := l.Append(ctx, ev); err != nil {
				t.Fatal(err)
			}
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
		added, err := l.Append(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		if added != (i == 0) {
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
	k := "zammad:4711"
	for i, mark := range []string{"correction", "confirmation", "correction", "over-quota"} {
		n, err := l.Issue(ctx, k, mark)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int]int64{0: 1, 1: 2, 2: 1, 3: 3}[i]
		if n != want {
			t.Errorf("issue %s: seq %d, want %d", mark, n, want)
		}
	}
	done, before, err := l.Written(ctx, k, "over-quota")
	if err != nil || done || !cmp.Equal(before, []string{"confirmation", "correction"}) {
		t.Errorf("over-quota: done=%v before=%v err=%v; want it to wait for correction and confirmation", done, before, err)
	}
	first, _ := l.MarkWritten(ctx, k, "correction", time.Now())
	second, _ := l.MarkWritten(ctx, k, "correction", time.Now())
	if !first || second {
		t.Errorf("MarkWritten twice: %v, %v; want true then false", first, second)
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
