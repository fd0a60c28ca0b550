package billing

import (
	"testing"
	"time"

	"github.com/monobunt/slaguard/sla"
)

func TestClassifyFollowsThePolicy(t *testing.T) {
	p, _ := sla.LookupPlan("sla1")
	terms := sla.TermsOf(p)
	terms.HourlyRateCents = 9600
	weekday := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // Wed 11:00 Vienna
	night := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)   // Wed 22:00 Vienna
	holiday := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)  // Mariä Empfängnis, 11:00
	impl := []string{"4"}
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
		{"critical on a public holiday", Source{BookedAt: holiday, Priority: sla.Critical}, CriticalOffHours, 16000},
		{"high at night is not critical", Source{BookedAt: night, Priority: sla.High}, Included, 0},
		{"critical at night beats change request", Source{BookedAt: night, Priority: sla.Critical, ChangeRequest: true}, CriticalOffHours, 16000},
		{"critical at night beats over quota", Source{BookedAt: night, Priority: sla.Critical, OverQuota: true}, CriticalOffHours, 16000},
		{"change request beats over quota", Source{BookedAt: weekday, ChangeRequest: true, OverQuota: true}, Implementation, 9600},
	} {
		cat, reason := Classify(tc.src, terms, impl)
		if cat != tc.cat || rateOf(cat, terms) != tc.rate || reason == "" {
			t.Errorf("%s: %s at %d (%q), want %s at %d", tc.name, cat, rateOf(cat, terms), reason, tc.cat, tc.rate)
		}
	}
	// A 24/7 calendar has no off hours.
	terms.Calendar = sla.AlwaysOpen()
	if cat, _ := Classify(Source{BookedAt: night, Priority: sla.Critical}, terms, impl); cat != Included {
		t.Errorf("critical at night on a 24/7 calendar: %s, want included", cat)
	}
}

func TestPriceAppliesTheIncrementToBilledTimeOnly(t *testing.T) {
	p, _ := sla.LookupPlan("sla1")
	terms := sla.TermsOf(p)
	terms.HourlyRateCents, terms.BillingIncrement = 9600, 15*time.Minute
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := price(Source{EntryID: "1", BookedAt: at, Seconds: 7*60 + 30, OverQuota: true}, "c", terms, nil)
	if e.BookedSeconds != 450 || e.BilledSeconds != 900 || e.AmountCents != 2400 || e.Date != "2026-11-25" {
		t.Errorf("over quota 7.5 min with a 15 min increment: %+v", e)
	}
	e = price(Source{EntryID: "2", BookedAt: at, Seconds: 450}, "c", terms, nil)
	if e.BookedSeconds != 450 || e.BilledSeconds != 0 || e.AmountCents != 0 || e.RateCentsPerHour != 0 {
		t.Errorf("included 7.5 min: %+v", e)
	}
}
