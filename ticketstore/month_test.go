package ticketstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/monobunt/slaguard/internal/redistest"
)

// A contract's month lists its tickets counted against the quota and the others, in
// order of creation, once each; other months and contracts stay apart.
func TestMonthTicketsJoinCountedAndUncounted(t *testing.T) {
	ctx := context.Background()
	s := New(redistest.Client(t))
	nov := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CountQuota(ctx, "c-1", "zammad:3", nov(3, 9))
	must(err)
	_, err = s.CountQuota(ctx, "c-1", "zammad:1", nov(1, 9))
	must(err)
	must(s.NoteUncounted(ctx, "c-1", "zammad:2", nov(2, 9)))
	must(s.NoteUncounted(ctx, "c-1", "zammad:2", nov(2, 9))) // twice: once
	must(s.NoteUncounted(ctx, "c-1", "zammad:9", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)))
	must(s.NoteUncounted(ctx, "c-2", "zammad:8", nov(5, 9)))
	// Midnight of 1 December in Vienna is still 30 November 23:00 UTC: December's.
	_, err = s.CountQuota(ctx, "c-1", "zammad:7", time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC))
	must(err)

	got, err := s.MonthTickets(ctx, "c-1", "2026-11")
	must(err)
	if want := []string{"zammad:1", "zammad:2", "zammad:3"}; !slices.Equal(got, want) {
		t.Errorf("November of c-1 = %v, want %v", got, want)
	}
	got, err = s.MonthTickets(ctx, "c-1", "2026-12")
	must(err)
	if want := []string{"zammad:7", "zammad:9"}; !slices.Equal(got, want) {
		t.Errorf("December of c-1 = %v, want %v", got, want)
	}
}
