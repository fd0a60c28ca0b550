package billing

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/monobunt/slaguard/sla"
)

func TestAmountRoundsHalfUpToTheCent(t *testing.T) {
	for _, tc := range []struct {
		seconds, rate, want int64
	}{
		{3600, 16000, 16000},     // an hour at EUR 160
		{90 * 60, 9600, 14400},   // 90 minutes at EUR 96
		{60, 9500, 158},          // 1 minute at EUR 95 = 158.33 cents
		{30, 100, 1},             // 0.833 cents → 1
		{18, 100, 1},             // exactly 0.5 cents → up
		{17, 100, 0},             // 0.47 cents → 0
		{7*60 + 30, 9600, 1200},  // 7.5 minutes
		{-90 * 60, 9600, -14400}, // an adjustment prices symmetrically
		{0, 16000, 0},
	} {
		if got := Amount(tc.seconds, tc.rate); got != tc.want {
			t.Errorf("Amount(%d s, %d c/h) = %d, want %d", tc.seconds, tc.rate, got, tc.want)
		}
	}
}

func TestRoundUpToTheIncrement(t *testing.T) {
	for _, tc := range []struct {
		seconds int64
		inc     time.Duration
		want    int64
	}{
		{7*60 + 30, 15 * time.Minute, 15 * 60},
		{15 * 60, 15 * time.Minute, 15 * 60},
		{15*60 + 1, 15 * time.Minute, 30 * 60},
		{61 * 60, 0, 61 * 60},
		{0, 15 * time.Minute, 0},
	} {
		if got := RoundUp(tc.seconds, tc.inc); got != tc.want {
			t.Errorf("RoundUp(%d, %s) = %d, want %d", tc.seconds, tc.inc, got, tc.want)
		}
	}
}

func TestClassifyFollowsThePolicy(t *testing.T) {
	terms := sla.TermsOf(mustPlan(t, "sla1"))
	terms.HourlyRateCents = 9600
	weekday := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // Wed 11:00 Vienna
	night := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)   // Wed 22:00 Vienna
	impl := map[string]bool{"4": true}
	for _, tc := range []struct {
		name string
		src  Source
		cat  Category
		rate int64
	}{
		{"plain ticket", Source{BookedAt: weekday, Priority: sla.Medium}, Included, 0},
		{"change request", Source{BookedAt: weekday, ChangeRequest: true}, Implementation, 9600},
		{"implementation type", Source{BookedAt: weekday, TypeID: "4"}, Implementation, 9600},
		{"other type", Source{BookedAt: weekday, TypeID: "3"}, Included, 0},
		{"over quota", Source{BookedAt: weekday, OverQuota: true}, OverQuota, 9600},
		{"critical in business hours", Source{BookedAt: weekday, Priority: sla.Critical}, Included, 0},
		{"critical at night", Source{BookedAt: night, Priority: sla.Critical}, CriticalOffHours, 16000},
		{"critical at night beats over quota", Source{BookedAt: night, Priority: sla.Critical, OverQuota: true}, CriticalOffHours, 16000},
		{"change request beats over quota", Source{BookedAt: weekday, ChangeRequest: true, OverQuota: true}, Implementation, 9600},
	} {
		cat, rate, reason := Classify(tc.src, terms, impl)
		if cat != tc.cat || rate != tc.rate || reason == "" {
			t.Errorf("%s: %s at %d (%q), want %s at %d", tc.name, cat, rate, reason, tc.cat, tc.rate)
		}
	}
}

// For any set of entries, the totals are exactly the sums of the entries.
func TestTotalsEqualTheSumOfEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	cats := Categories
	for round := 0; round < 300; round++ {
		var entries []Entry
		want := map[string]Total{}
		var grand Total
		for i := 0; i < r.IntN(40); i++ {
			secs := r.Int64N(8*3600) - 600 // some negative adjustments
			rate := []int64{0, 9600, 12000, 16000}[r.IntN(4)]
			e := Entry{Key: string(rune('a' + i)), ContractID: []string{"c1", "c2", "c3"}[r.IntN(3)],
				Date: "2026-11-0" + string(rune('1'+r.IntN(9))), Category: cats[r.IntN(len(cats))],
				BookedSeconds: secs, BilledSeconds: RoundUp(secs, 15*time.Minute), RateCents: rate}
			e.AmountCents = Amount(e.BilledSeconds, rate)
			entries = append(entries, e)
			w := want[e.ContractID]
			w.add(e)
			want[e.ContractID] = w
			grand.add(e)
		}
		x := newExport("2026-11", entries)
		if x.Total != grand {
			t.Fatalf("round %d: total %+v, sum of entries %+v", round, x.Total, grand)
		}
		var cats Total
		for _, c := range x.Contracts {
			if c.Total != want[c.ContractID] {
				t.Fatalf("round %d: contract %s total %+v, want %+v", round, c.ContractID, c.Total, want[c.ContractID])
			}
			var byCat Total
			for _, tt := range c.ByCategory {
				byCat.BookedSeconds += tt.BookedSeconds
				byCat.BilledSeconds += tt.BilledSeconds
				byCat.AmountCents += tt.AmountCents
			}
			if byCat != c.Total {
				t.Fatalf("round %d: contract %s categories add to %+v, total %+v", round, c.ContractID, byCat, c.Total)
			}
		}
		for _, tt := range x.ByCategory {
			cats.AmountCents += tt.AmountCents
		}
		if cats.AmountCents != grand.AmountCents {
			t.Fatalf("round %d: categories add to %d cents, total %d", round, cats.AmountCents, grand.AmountCents)
		}
	}
}

func mustPlan(t *testing.T, id string) sla.Plan {
	t.Helper()
	p, ok := sla.LookupPlan(id)
	if !ok {
		t.Fatalf("no plan %s", id)
	}
	return p
}
