package billing

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func vie(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, vienna).UTC()
}

func termsFor(id, name string, increment time.Duration) sla.Terms {
	p, _ := sla.LookupPlan("sla1")
	t := sla.TermsOf(p)
	t.ContractID, t.ContractName, t.HourlyRateCents, t.BillingIncrement = id, name, 9600, increment
	return t
}

var (
	bakery  = termsFor("c_bakery", "Bäckerei Demo GmbH", 0)
	joinery = termsFor("c_joinery", "Tischlerei Holz & Co", 15*time.Minute)
)

func newTestLedger(t *testing.T) *Ledger {
	return NewLedger(redistest.Client(t), []string{"4"})
}

func mustSync(t *testing.T, l *Ledger, ticket string, terms sla.Terms, now time.Time, s ...Source) {
	t.Helper()
	if err := l.SyncTicket(context.Background(), "zammad", ticket, terms.ContractID, terms, s, now); err != nil {
		t.Fatal(err)
	}
}

func mustExport(t *testing.T, l *Ledger, month, contract string) Export {
	t.Helper()
	x, err := l.Export(context.Background(), month, contract)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// october is a month with every category, an edited and a deleted entry, and a
// contract with a 15-minute increment.
func october(t *testing.T, l *Ledger) {
	t.Helper()
	now := vie(2026, 10, 31, 18, 0)
	// Bakery: a change request, an over-quota ticket, critical work on a Saturday night,
	// included work, an entry edited (10 → 25 min) and one deleted.
	mustSync(t, l, "101", bakery, now, Source{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 90 * 60, ChangeRequest: true})
	mustSync(t, l, "102", bakery, now, Source{EntryID: "2", TicketNumber: "31000102", Title: "Logo tauschen", BookedAt: vie(2026, 10, 20, 14, 0), Seconds: 20 * 60, OverQuota: true})
	mustSync(t, l, "103", bakery, now, Source{EntryID: "3", TicketNumber: "31000103", Title: "=Shop down; \"dringend\"", BookedAt: vie(2026, 10, 10, 22, 0), Seconds: 45 * 60, Priority: sla.Critical})
	newsletter := func(id string, at time.Time, min int64) Source {
		return Source{EntryID: id, TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: at, Seconds: min * 60}
	}
	mustSync(t, l, "104", bakery, now, newsletter("4", vie(2026, 10, 7, 9, 0), 30),
		newsletter("5", vie(2026, 10, 7, 11, 0), 10), newsletter("6", vie(2026, 10, 8, 9, 0), 5))
	mustSync(t, l, "104", bakery, now, // entry 5 edited, entry 6 deleted
		newsletter("4", vie(2026, 10, 7, 9, 0), 30), newsletter("5", vie(2026, 10, 7, 11, 0), 25))
	// Joinery: 15-minute increment.
	mustSync(t, l, "201", joinery, now, Source{EntryID: "7", TicketNumber: "31000201", Title: "Impressum", BookedAt: vie(2026, 10, 12, 9, 0), Seconds: 7*60 + 30, OverQuota: true})
	mustSync(t, l, "202", joinery, now, Source{EntryID: "8", TicketNumber: "31000202", Title: "Terminbuchung", BookedAt: vie(2026, 10, 13, 9, 0), Seconds: 61 * 60, TypeID: "4"})
}

func render(t *testing.T, x Export) map[string][]byte {
	t.Helper()
	var j, ex, rf bytes.Buffer
	if err := WriteJSON(&j, x); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&ex, x, ExcelAT); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&rf, x, RFC4180); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{".json": j.Bytes(), ".excel-at.csv": ex.Bytes(), ".rfc4180.csv": rf.Bytes()}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./billing -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func categoryCents(x Export) map[Category]int64 {
	out := map[Category]int64{}
	for _, c := range x.ByCategory {
		out[c.Category] = c.AmountCents
	}
	return out
}

func TestExportOfAMonthWithEveryCategory(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	x := mustExport(t, l, "2026-10", "")
	for ext, b := range render(t, x) {
		golden(t, "2026-10"+ext, b)
	}
	// The figures a person would check by hand: 90 min and 61→75 min implementation at
	// EUR 96; 20 min and 7.5→15 min over quota; 45 min critical at night at EUR 160.
	want := map[Category]int64{Implementation: 14400 + 12000, OverQuota: 3200 + 2400, CriticalOffHours: 12000, Included: 0}
	if diff := cmp.Diff(want, categoryCents(x)); diff != "" {
		t.Errorf("cents by category (-want +got):\n%s", diff)
	}
	if x.Total.AmountCents != 44000 || len(x.Entries) != 7 {
		t.Errorf("%d entries, %d cents; want 7 (one deleted), 44000", len(x.Entries), x.Total.AmountCents)
	}
	for _, e := range x.Entries {
		if e.EntryID == "5" && e.BookedSeconds != 25*60 {
			t.Errorf("edited entry 5 has %d s, want %d", e.BookedSeconds, 25*60)
		}
		if e.EntryID == "6" {
			t.Errorf("deleted entry 6 is still there")
		}
	}
	for ext, b := range render(t, mustExport(t, l, "2026-10", "c_joinery")) {
		golden(t, "2026-10-c_joinery"+ext, b)
	}
}

func TestAClosedMonthNeverChangesAndLateEditsBecomeAdjustments(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	october(t, l)
	if _, err := l.Close(ctx, "2026-11", vie(2026, 11, 3, 9, 0)); !errors.Is(err, ErrMonthNotOver) {
		t.Fatalf("closing November on 3 November: %v, want ErrMonthNotOver", err)
	}
	if _, err := l.Close(ctx, "2026-12", vie(2026, 11, 3, 9, 0)); !errors.Is(err, ErrMonthNotOver) {
		t.Fatalf("closing December on 3 November: %v, want ErrMonthNotOver", err)
	}
	first, err := l.Close(ctx, "2026-10", vie(2026, 11, 3, 9, 0))
	if err != nil || !first.Closed {
		t.Fatal(first, err)
	}
	before := render(t, mustExport(t, l, "2026-10", ""))
	beforeJoinery := render(t, mustExport(t, l, "2026-10", "c_joinery"))
	// Late in November: entry 1 grows from 90 to 120 minutes and a new entry is booked in
	// November; entry 4 is deleted; entry 3 (critical) is booked late on 31 October.
	late := vie(2026, 11, 12, 16, 30)
	mustSync(t, l, "101", bakery, late,
		Source{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 120 * 60, ChangeRequest: true},
		Source{EntryID: "9", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 11, 12, 15, 0), Seconds: 60 * 60, ChangeRequest: true})
	mustSync(t, l, "104", bakery, late,
		Source{EntryID: "5", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 11, 0), Seconds: 25 * 60})
	mustSync(t, l, "103", bakery, late,
		Source{EntryID: "3", TicketNumber: "31000103", Title: "=Shop down; \"dringend\"", BookedAt: vie(2026, 10, 10, 22, 0), Seconds: 45 * 60, Priority: sla.Critical},
		Source{EntryID: "10", TicketNumber: "31000103", Title: "=Shop down; \"dringend\"", BookedAt: vie(2026, 10, 31, 23, 0), Seconds: 30 * 60, Priority: sla.Critical})

	if after := render(t, mustExport(t, l, "2026-10", "")); !cmp.Equal(before, after) {
		t.Errorf("the closed month's export changed after late edits")
	}
	if after := render(t, mustExport(t, l, "2026-10", "c_joinery")); !cmp.Equal(beforeJoinery, after) {
		t.Errorf("the closed month's contract export changed after late edits")
	}
	again, err := l.Close(ctx, "2026-10", late)
	if err != nil || again != first {
		t.Errorf("closing again: %+v, %v; want the first closing %+v", again, err, first)
	}
	nov := mustExport(t, l, "2026-11", "")
	for ext, b := range render(t, nov) {
		golden(t, "2026-11-with-adjustments"+ext, b)
	}
	type line struct {
		entry, of, date string
		cat             Category
		secs, cents     int64
	}
	var got []line
	for _, e := range nov.Entries {
		got = append(got, line{e.EntryID, e.AdjustmentOf, e.Date, e.Category, e.BookedSeconds, e.AmountCents})
	}
	want := []line{
		{"1", "2026-10", "2026-11-12", Implementation, 1800, 4800}, // 90 → 120 min
		{"9", "", "2026-11-12", Implementation, 3600, 9600},
		{"10", "2026-10", "2026-11-12", CriticalOffHours, 1800, 8000}, // late booking
		{"4", "2026-10", "2026-11-12", Included, -1800, 0},            // deleted
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(line{})); diff != "" {
		t.Errorf("November's lines (-want +got):\n%s", diff)
	}
	// Re-reading the same entries in December (November still open) moves nothing.
	dec := vie(2026, 12, 2, 9, 0)
	mustSync(t, l, "101", bakery, dec,
		Source{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 120 * 60, ChangeRequest: true},
		Source{EntryID: "9", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 11, 12, 15, 0), Seconds: 60 * 60, ChangeRequest: true})
	if x := mustExport(t, l, "2026-12", ""); len(x.Entries) != 0 {
		t.Errorf("a re-read in December posted %+v", x.Entries)
	}
	// Entry 1 turns out to be an over-quota question after all: take the implementation
	// back, book over quota, in December.
	mustSync(t, l, "101", bakery, dec,
		Source{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 120 * 60, OverQuota: true},
		Source{EntryID: "9", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 11, 12, 15, 0), Seconds: 60 * 60, ChangeRequest: true})
	if got := categoryCents(mustExport(t, l, "2026-11", "")); got[Implementation] != 9600 {
		t.Errorf("November (open) implementation %d cents, want the new hour only (9600)", got[Implementation])
	}
	if got := categoryCents(mustExport(t, l, "2026-12", "")); got[Implementation] != -14400 || got[OverQuota] != 19200 {
		t.Errorf("December: %v; want implementation −14400 (October's 90 min), over_quota +19200 (120 min)", got)
	}
}

func TestSyncAddsUpdatesAndRemovesEntries(t *testing.T) {
	l := newTestLedger(t)
	now := vie(2026, 11, 20, 12, 0)
	a := Source{EntryID: "1", BookedAt: vie(2026, 11, 2, 10, 0), Seconds: 3600, ChangeRequest: true}
	b := Source{EntryID: "2", BookedAt: vie(2026, 10, 30, 10, 0), Seconds: 1800, OverQuota: true}
	mustSync(t, l, "7", bakery, now, a, b)
	mustSync(t, l, "7", bakery, now, a, b) // a re-read adds nothing
	if x := mustExport(t, l, "2026-11", ""); len(x.Entries) != 1 || x.Total.AmountCents != 9600 {
		t.Errorf("November: %+v", x)
	}
	b.BookedAt = vie(2026, 11, 3, 10, 0) // the booking date moves into November
	mustSync(t, l, "7", bakery, now, a, b)
	if x := mustExport(t, l, "2026-10", ""); len(x.Entries) != 0 {
		t.Errorf("October still holds the moved entry: %+v", x.Entries)
	}
	if x := mustExport(t, l, "2026-11", ""); len(x.Entries) != 2 || x.Total.AmountCents != 9600+4800 {
		t.Errorf("November after the move: %d entries, %d cents", len(x.Entries), x.Total.AmountCents)
	}
	mustSync(t, l, "7", bakery, now) // every entry deleted
	if x := mustExport(t, l, "2026-11", ""); len(x.Entries) != 0 {
		t.Errorf("entries left after deleting all: %+v", x.Entries)
	}
	if n, _ := l.rdb.Exists(context.Background(), ticketKey("zammad", "7")).Result(); n != 0 {
		t.Errorf("the empty ticket's index is still there")
	}
}

func TestSyncRejectsEntriesItCannotKey(t *testing.T) {
	l := newTestLedger(t)
	now := vie(2026, 11, 20, 12, 0)
	at := vie(2026, 11, 2, 10, 0)
	for name, src := range map[string][]Source{
		"no id":          {{BookedAt: at, Seconds: 60}},
		"same id twice":  {{EntryID: "1", BookedAt: at}, {EntryID: "1", BookedAt: at}},
		"negative time":  {{EntryID: "1", BookedAt: at, Seconds: -60}},
		"no time booked": {{EntryID: "1", Seconds: 60}},
		"other ticket":   {{EntryID: "1", TicketID: "8", BookedAt: at}},
		"separator":      {{EntryID: "1|2", BookedAt: at}},
	} {
		if err := l.SyncTicket(context.Background(), "zammad", "7", "c", bakery, src, now); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("%s: %v, want ErrInvalidSource", name, err)
		}
	}
}

func TestSyncIsSafeWhenConcurrent(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	now := vie(2026, 11, 20, 12, 0)
	addr := l.rdb.(*redis.Client).Options().Addr
	src := []Source{
		{EntryID: "1", BookedAt: vie(2026, 11, 2, 10, 0), Seconds: 3600, ChangeRequest: true},
		{EntryID: "2", BookedAt: vie(2026, 11, 3, 10, 0), Seconds: 1800, OverQuota: true},
	}
	race := func(now time.Time) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A separate client per worker, as separate processes would have.
				rdb := redis.NewClient(&redis.Options{Addr: addr})
				defer rdb.Close()
				w := NewLedger(rdb, nil)
				if err := w.SyncTicket(ctx, "zammad", "7", "c1", bakery, src, now); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	race(now)
	if x := mustExport(t, l, "2026-11", ""); len(x.Entries) != 2 || x.Total.AmountCents != 9600+4800 {
		t.Errorf("after 8 concurrent syncs: %d entries, %d cents; want 2, %d", len(x.Entries), x.Total.AmountCents, 9600+4800)
	}
	// Concurrent syncs of a closed month's edit make one adjustment, not eight.
	if _, err := l.Close(ctx, "2026-11", vie(2026, 12, 1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	src[0].Seconds = 2 * 3600
	race(vie(2026, 12, 2, 9, 0))
	if x := mustExport(t, l, "2026-12", ""); len(x.Entries) != 1 || x.Total.AmountCents != 9600 {
		t.Errorf("December after concurrent late edits: %+v; want one adjustment of +1 h, 9600", x.Entries)
	}
}

func TestCloseRacingSyncsLosesNothing(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ticket := string(rune('a' + i))
			s := Source{EntryID: "1", BookedAt: vie(2026, 10, 15, 10, 0), Seconds: 3600, OverQuota: true}
			if err := l.SyncTicket(ctx, "zammad", ticket, "c1", bakery, []Source{s}, vie(2026, 11, 1, 0, 1)); err != nil {
				t.Error(err)
			}
		}()
	}
	if _, err := l.Close(ctx, "2026-10", vie(2026, 11, 1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	// Every hour is billed exactly once: in October if it got in before the close, else
	// as a late booking in November.
	oct, nov := mustExport(t, l, "2026-10", ""), mustExport(t, l, "2026-11", "")
	if got := oct.Total.AmountCents + nov.Total.AmountCents; got != 20*9600 || len(oct.Entries)+len(nov.Entries) != 20 {
		t.Errorf("October %d + November %d lines, %d cents; want 20 lines, %d", len(oct.Entries), len(nov.Entries), got, 20*9600)
	}
}

func TestAClosedEntryMovedToAnotherContractIsTakenBackFromTheOldOne(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	s := Source{EntryID: "1", BookedAt: vie(2026, 10, 15, 10, 0), Seconds: 3600, OverQuota: true}
	mustSync(t, l, "7", bakery, vie(2026, 10, 20, 9, 0), s)
	if _, err := l.Close(ctx, "2026-10", vie(2026, 11, 2, 9, 0)); err != nil {
		t.Fatal(err)
	}
	mustSync(t, l, "7", joinery, vie(2026, 11, 5, 9, 0), s)
	got := map[string]int64{}
	for _, c := range mustExport(t, l, "2026-11", "").Contracts {
		got[c.ContractID] = c.Total.AmountCents
	}
	if diff := cmp.Diff(map[string]int64{"c_bakery": -9600, "c_joinery": 9600}, got); diff != "" {
		t.Errorf("November by contract (-want +got):\n%s", diff)
	}
}
