package billing

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
)

func TestMain(m *testing.M) { redistest.Main(m) }

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func vie(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, vienna).UTC()
}

func termsFor(name string, increment time.Duration) sla.Terms {
	p, _ := sla.LookupPlan("sla1")
	t := sla.TermsOf(p)
	t.ContractName, t.HourlyRateCents, t.BillingIncrement = name, 9600, increment
	return t
}

var (
	bakery  = termsFor("Bäckerei Demo GmbH", 0)
	joinery = termsFor("Tischlerei Holz & Co", 15*time.Minute)
)

// october is a month with every category, an edited and a deleted entry, and a
// contract with a 15-minute increment.
func october(t *testing.T, l *Ledger) {
	t.Helper()
	ctx := context.Background()
	now := vie(2026, 10, 31, 18, 0)
	sync := func(ticket, contract string, terms sla.Terms, s ...Source) {
		t.Helper()
		if err := l.SyncTicket(ctx, "zammad", ticket, contract, terms, s, now); err != nil {
			t.Fatal(err)
		}
	}
	// Bakery: a change request, an over-quota ticket, critical work on a Saturday night,
	// included work, an entry edited (10 → 25 min) and one deleted.
	sync("101", "c_bakery", bakery, Source{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 90 * 60, ChangeRequest: true})
	sync("102", "c_bakery", bakery, Source{EntryID: "2", TicketNumber: "31000102", Title: "Logo tauschen", BookedAt: vie(2026, 10, 20, 14, 0), Seconds: 20 * 60, OverQuota: true})
	sync("103", "c_bakery", bakery, Source{EntryID: "3", TicketNumber: "31000103", Title: "Shop down", BookedAt: vie(2026, 10, 10, 22, 0), Seconds: 45 * 60, Priority: sla.Critical})
	sync("104", "c_bakery", bakery,
		Source{EntryID: "4", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 9, 0), Seconds: 30 * 60},
		Source{EntryID: "5", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 11, 0), Seconds: 10 * 60},
		Source{EntryID: "6", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 8, 9, 0), Seconds: 5 * 60})
	sync("104", "c_bakery", bakery, // entry 5 edited, entry 6 deleted
		Source{EntryID: "4", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 9, 0), Seconds: 30 * 60},
		Source{EntryID: "5", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 11, 0), Seconds: 25 * 60})
	// Joinery: 15-minute increment.
	sync("201", "c_joinery", joinery, Source{EntryID: "7", TicketNumber: "31000201", Title: "Impressum", BookedAt: vie(2026, 10, 12, 9, 0), Seconds: 7*60 + 30, OverQuota: true})
	sync("202", "c_joinery", joinery, Source{EntryID: "8", TicketNumber: "31000202", Title: "Terminbuchung", BookedAt: vie(2026, 10, 13, 9, 0), Seconds: 61 * 60, TypeID: "4"})
}

func newTestLedger(t *testing.T) *Ledger {
	return NewLedger(redistest.Client(t), []string{"4"})
}

func render(t *testing.T, x Export) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
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
	out[".json"], out[".excel-at.csv"], out[".rfc4180.csv"] = j.Bytes(), ex.Bytes(), rf.Bytes()
	return out
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

func TestExportOfAMonthWithEveryCategory(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	x, err := l.Export(context.Background(), "2026-10", "")
	if err != nil {
		t.Fatal(err)
	}
	for ext, b := range render(t, x) {
		golden(t, "2026-10"+ext, b)
	}
	// The figures a person would check by hand.
	want := map[Category]int64{Implementation: 14400 + 12000, OverQuota: 3200 + 2400, CriticalOffHours: 12000, Included: 0}
	for cat, cents := range want {
		if got := x.ByCategory[cat].AmountCents; got != cents {
			t.Errorf("%s: %d cents, want %d", cat, got, cents)
		}
	}
	if len(x.Entries) != 7 {
		t.Errorf("%d entries, want 7 (one deleted)", len(x.Entries))
	}
	joinery, _ := l.Export(context.Background(), "2026-10", "c_joinery")
	for ext, b := range render(t, joinery) {
		golden(t, "2026-10-c_joinery"+ext, b)
	}
}

func TestAClosedMonthNeverChangesAndLateEditsBecomeAdjustments(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	october(t, l)
	if _, err := l.Close(ctx, "2026-11", vie(2026, 11, 3, 9, 0)); err == nil {
		t.Fatal("closed November on 3 November")
	}
	closed, err := l.Close(ctx, "2026-10", vie(2026, 11, 3, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	before := render(t, closed)
	// Late in November: entry 1 grows from 90 to 120 minutes, entry 4 is deleted, a
	// new entry is booked in November.
	late := vie(2026, 11, 12, 16, 30)
	if err := l.SyncTicket(ctx, "zammad", "101", "c_bakery", bakery, []Source{
		{EntryID: "1", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 10, 5, 10, 0), Seconds: 120 * 60, ChangeRequest: true},
		{EntryID: "9", TicketNumber: "31000101", Title: "Neue Funktion Gutscheine", BookedAt: vie(2026, 11, 12, 15, 0), Seconds: 60 * 60, ChangeRequest: true},
	}, late); err != nil {
		t.Fatal(err)
	}
	if err := l.SyncTicket(ctx, "zammad", "104", "c_bakery", bakery, []Source{
		{EntryID: "5", TicketNumber: "31000104", Title: "Frage Newsletter", BookedAt: vie(2026, 10, 7, 11, 0), Seconds: 25 * 60},
	}, late); err != nil {
		t.Fatal(err)
	}
	again, err := l.Export(ctx, "2026-10", "")
	if err != nil {
		t.Fatal(err)
	}
	if after := render(t, again); !cmp.Equal(before, after) {
		t.Errorf("the closed month's export changed after late edits")
	}
	again2, _ := l.Close(ctx, "2026-10", late) // closing again changes nothing
	if !cmp.Equal(before, render(t, again2)) {
		t.Errorf("closing a closed month again changed it")
	}
	nov, err := l.Export(ctx, "2026-11", "")
	if err != nil {
		t.Fatal(err)
	}
	for ext, b := range render(t, nov) {
		golden(t, "2026-11-with-adjustments"+ext, b)
	}
	var adj int
	for _, e := range nov.Entries {
		if e.AdjustmentOf != "" {
			adj++
		}
	}
	if adj != 3 { // +120 for entry 1, −90 for entry 1, −30 (0 cents) for entry 4
		t.Errorf("%d adjustments in November, want 3: %+v", adj, nov.Entries)
	}
	if got := nov.Total.AmountCents; got != 9600+4800 {
		t.Errorf("November total %d cents, want %d (the new hour plus 30 more minutes of October)", got, 9600+4800)
	}
}

func TestSyncIsIdempotentAndSafeWhenConcurrent(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	now := vie(2026, 11, 20, 12, 0)
	src := []Source{
		{EntryID: "1", BookedAt: vie(2026, 11, 2, 10, 0), Seconds: 3600, ChangeRequest: true},
		{EntryID: "2", BookedAt: vie(2026, 11, 3, 10, 0), Seconds: 1800, OverQuota: true},
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.SyncTicket(ctx, "zammad", "7", "c1", bakery, src, now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := l.SyncTicket(ctx, "zammad", "7", "c1", bakery, src, now); err != nil {
		t.Fatal(err)
	}
	x, _ := l.Export(ctx, "2026-11", "")
	if len(x.Entries) != 2 || x.Total.AmountCents != 9600+4800 {
		t.Errorf("after 9 syncs: %d entries, %d cents; want 2 entries, %d cents", len(x.Entries), x.Total.AmountCents, 9600+4800)
	}
	// Concurrent syncs of a closed month's edit make one adjustment, not eight.
	if _, err := l.Close(ctx, "2026-11", vie(2026, 12, 1, 9, 0)); err != nil {
		t.Fatal(err)
	}
	src[0].Seconds = 2 * 3600
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.SyncTicket(ctx, "zammad", "7", "c1", bakery, src, vie(2026, 12, 2, 9, 0)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	dec, _ := l.Export(ctx, "2026-12", "")
	if dec.Total.AmountCents != 9600 || len(dec.Entries) != 2 {
		t.Errorf("December after concurrent late edits: %d entries, %d cents; want 2 (−1 h, +2 h), 9600", len(dec.Entries), dec.Total.AmountCents)
	}
}

func TestTheExcelCSVRoundTrips(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	x, _ := l.Export(context.Background(), "2026-10", "")
	var buf bytes.Buffer
	if err := WriteCSV(&buf, x, ExcelAT); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
		t.Fatal("no UTF-8 BOM: Excel would misread the umlauts")
	}
	r := csv.NewReader(bytes.NewReader(raw[3:]))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(x.Entries)+len(x.Contracts)+1 {
		t.Fatalf("%d rows, want header, %d entries, %d totals and the grand total", len(rows), len(x.Entries), len(x.Contracts))
	}
	for i, e := range x.Entries {
		row := rows[i+1]
		f := formatter{de: true}
		if row[0] != e.ContractID || row[9] != f.euros(e.AmountCents) || row[6] != f.minutes(e.BookedSeconds) ||
			!strings.Contains(row[2], ".2026") {
			t.Errorf("row %d = %q does not match entry %+v", i+1, row, e)
		}
	}
	last := rows[len(rows)-1]
	if last[9] != (formatter{de: true}).euros(x.Total.AmountCents) {
		t.Errorf("grand total row %q, want %d cents", last, x.Total.AmountCents)
	}
}
