package billing

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// For any set of lines, every total is exactly the sum of its lines, and the per-category
// totals add up to the total.
func TestTotalsEqualTheSumOfEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 300 {
		var entries []Entry
		want := map[string][3]int64{}
		var grand [3]int64
		for i := range r.IntN(40) {
			secs := r.Int64N(8*3600) - 600 // some negative adjustments
			rate := []int64{0, 9600, 12000, 16000}[r.IntN(4)]
			e := Entry{Helpdesk: "zammad", TicketID: strconv.Itoa(r.IntN(5)), EntryID: strconv.Itoa(i),
				ContractID: []string{"c1", "c2", "c3"}[r.IntN(3)], Date: "2026-11-0" + strconv.Itoa(1+r.IntN(9)),
				Category: Categories[r.IntN(len(Categories))], BookedSeconds: secs,
				BilledSeconds: RoundUp(secs, 15*time.Minute), RateCentsPerHour: rate}
			e.AmountCents = AmountCents(e.BilledSeconds, rate)
			if secs >= 0 && e.AmountCents < 0 {
				t.Fatalf("negative amount %d for %d s", e.AmountCents, secs)
			}
			entries = append(entries, e)
			w := want[e.ContractID]
			w[0], w[1], w[2] = w[0]+e.BookedSeconds, w[1]+e.BilledSeconds, w[2]+e.AmountCents
			want[e.ContractID] = w
			grand[0], grand[1], grand[2] = grand[0]+e.BookedSeconds, grand[1]+e.BilledSeconds, grand[2]+e.AmountCents
		}
		x := build("2026-11", "", entries)
		if got := [3]int64{x.Total.BookedSeconds, x.Total.BilledSeconds, x.Total.AmountCents}; got != grand || x.Total.Entries != len(entries) {
			t.Fatalf("round %d: total %+v, sum of entries %v", round, x.Total, grand)
		}
		check := func(who string, cats []CategorySum, total Sum) {
			var s [3]int64
			n := 0
			for _, c := range cats {
				s[0], s[1], s[2], n = s[0]+c.BookedSeconds, s[1]+c.BilledSeconds, s[2]+c.AmountCents, n+c.Entries
			}
			if s != [3]int64{total.BookedSeconds, total.BilledSeconds, total.AmountCents} || n != total.Entries {
				t.Fatalf("round %d: %s categories add to %v, total %+v", round, who, s, total)
			}
		}
		check("all", x.ByCategory, x.Total)
		for _, c := range x.Contracts {
			if got := [3]int64{c.Total.BookedSeconds, c.Total.BilledSeconds, c.Total.AmountCents}; got != want[c.ContractID] {
				t.Fatalf("round %d: contract %s total %+v, want %v", round, c.ContractID, c.Total, want[c.ContractID])
			}
			check(c.ContractID, c.ByCategory, c.Total)
		}
	}
}

// euroCents reads a CSV money value back into cents without a float.
func euroCents(t *testing.T, s string, sep string) int64 {
	t.Helper()
	whole, frac, ok := strings.Cut(s, sep)
	if !ok || len(frac) != 2 {
		t.Fatalf("money %q is not written with two decimals after %q", s, sep)
	}
	neg := strings.HasPrefix(whole, "-")
	w, err1 := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("money %q: %v %v", s, err1, err2)
	}
	if neg {
		return -(w*100 + f)
	}
	return w*100 + f
}

func TestTheExcelCSVRoundTrips(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	x := mustExport(t, l, "2026-10", "")
	var buf bytes.Buffer
	if err := WriteCSV(&buf, x, ExcelAT); err != nil {
		t.Fatal(err)
	}
	raw, ok := bytes.CutPrefix(buf.Bytes(), []byte("\uFEFF"))
	if !ok {
		t.Fatal("no UTF-8 BOM: Excel would misread the umlauts")
	}
	if !bytes.Contains(raw, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("lines do not all end in CRLF")
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "Zeile" || len(rows[0]) != len(spalten) {
		t.Fatalf("heading %q", rows[0])
	}
	for i, e := range x.Entries {
		row := rows[i+1]
		secs, err := ParseMinutes(row[11])
		date, _ := time.Parse("02.01.2006", row[4])
		if row[0] != "entry" || row[2] != e.ContractID || row[8] != e.EntryID || err != nil || secs != e.BookedSeconds ||
			euroCents(t, row[14], ",") != e.AmountCents || euroCents(t, row[13], ",") != e.RateCentsPerHour ||
			date.Format("2006-01-02") != e.Date {
			t.Errorf("row %d = %q does not match entry %+v", i+1, row, e)
		}
		if e.EntryID == "3" && row[9] != "'"+e.Title {
			t.Errorf("a title starting with = is not defused for Excel: %q", row[9])
		}
	}
	var sum int64
	for _, row := range rows[1 : 1+len(x.Entries)] {
		sum += euroCents(t, row[14], ",")
	}
	last := rows[len(rows)-1]
	if last[0] != "total" || last[2] != "" || last[10] != "total" || euroCents(t, last[14], ",") != sum || sum != x.Total.AmountCents {
		t.Errorf("grand total row %q; rows add to %d cents, export says %d", last, sum, x.Total.AmountCents)
	}
}
