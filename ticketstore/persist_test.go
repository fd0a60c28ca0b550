package ticketstore

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/monobunt/slaguard/internal/redistest"
)

// Many tickets persist in one round trip: a stale record is refused alone, the others
// are stored with their index entries, and a Redis that lost its scripts (a restart)
// runs each script once all the same.
func TestPersistManyRefusesOnlyTheStaleRecordAndMovesTheIndexes(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := New(rdb)
	evs := twentyEvents()
	var recs []*Record
	for _, id := range []string{"1", "2", "3"} {
		ev := evs[0]
		ev.Ticket.ID = id
		appendEvent(t, s, ev)
		rec, err := s.Load(ctx, Key("zammad", id))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	stale := evs[1]
	stale.Ticket.ID = "2"
	appendEvent(t, s, stale) // another worker, after ticket 2 was read
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	var batch []Evaluated
	for _, rec := range recs {
		ev := evs[2]
		ev.Ticket.ID = rec.Key[len("zammad:"):]
		if _, err := rec.Add(ev); err != nil {
			t.Fatal(err)
		}
		batch = append(batch, Evaluated{Record: rec, Change: Change{
			Issue: []Issue{{Mark: "confirmation"}},
			Index: IndexEntry(true, "c1", []string{"d:acme.example"}),
		}})
	}
	ps, errs := s.PersistMany(ctx, batch)
	for i, want := range []error{nil, ErrConflict, nil} {
		if !errors.Is(errs[i], want) || (want == nil && errs[i] != nil) {
			t.Errorf("ticket %d: %v, want %v", i+1, errs[i], want)
		}
	}
	if !ps[0].Added || !slices.Equal(ps[0].Issued, []string{"confirmation"}) {
		t.Errorf("ticket 1 persisted %+v, want its event added and the confirmation issued once", ps[0])
	}
	for i, id := range []string{"1", "3"} {
		rec, err := s.Load(ctx, Key("zammad", id))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Events) != 2 || rec.Issued["confirmation"] != 1 || rec.Index != batch[2*i].Change.Index {
			t.Errorf("ticket %s: %d events, issued %v, index %q", id, len(rec.Events), rec.Issued, rec.Index)
		}
	}
	if rec, _ := s.Load(ctx, "zammad:2"); len(rec.Issued) != 0 || len(rec.Events) != 2 {
		t.Errorf("the refused ticket 2 was written: %d events, issued %v", len(rec.Events), rec.Issued)
	}
	got, err := s.ContractTickets(ctx, "c1")
	slices.Sort(got)
	// Ticket 2's index moved too: indexes are derived, its retry puts them right.
	if want := []string{"zammad:1", "zammad:2", "zammad:3"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("tickets of c1: %v, %v; want %v", got, err, want)
	}
}
