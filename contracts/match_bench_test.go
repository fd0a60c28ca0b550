package contracts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
)

// BenchmarkMatch matches a ticket of one customer among 8 contracts on real Redis, as the
// worker does for every event ("match"), and then builds the contract's terms as the
// worker does next ("match+terms"). The contracts look like the bench suite's: overrides
// of every target, a calendar, a quota and a notification. It reports the Redis
// server's processor time per op too (redis-µs/op): it shares the worker's cores.
//
//	go test -run '^$' -bench BenchmarkMatch -benchmem ./contracts
func BenchmarkMatch(b *testing.B) {
	rdb := redistest.Client(b)
	repo := contracts.NewRepo(rdb, nil)
	ctx := context.Background()
	all := func(d string) map[string]string {
		return map[string]string{"low": d, "medium": d, "high": d, "critical": d}
	}
	quota, rate, atRisk, yes := 100000, int64(9600), 75, true
	for i := range 8 {
		_, err := repo.Create(ctx, contracts.Spec{
			Customer: fmt.Sprintf("Load Corp %d", i), Plan: "sla1", StartsOn: "2020-01-01",
			Organizations: []string{fmt.Sprint(5 + i), fmt.Sprintf("Load Corp %d", i)},
			Domains:       []string{fmt.Sprintf("load%d.example", i)},
			Calendar:      sla.CalendarSpec{Preset: "24x7"},
			FirstResponse: all("4h"), Resolution: all("72h"), QuotaPerMonth: &quota, HourlyRateCents: &rate,
			AtRiskPercent: &atRisk, Confirmation: &yes, EmergencyPhone: "+43 1 234 56 78",
			Notify: &contracts.Notify{SlackURL: "https://hooks.slack.com/services/T0/B0/x", Marks: []string{"breach"}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	q := contracts.MatchQuery{OrganizationID: "7", OrganizationName: "Load Corp 2",
		Email: "max@load2.example", At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	b.Run("match", func(b *testing.B) {
		cpu := redistest.CPU(b, rdb)
		for b.Loop() {
			if c, err := repo.Match(ctx, q); err != nil || c.Customer != "Load Corp 2" {
				b.Fatalf("matched %v, %v", c, err)
			}
		}
		b.ReportMetric(float64(redistest.CPU(b, rdb)-cpu)/float64(time.Microsecond)/float64(b.N), "redis-µs/op")
	})
	b.Run("match+terms", func(b *testing.B) {
		for b.Loop() {
			c, err := repo.Match(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Terms(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
