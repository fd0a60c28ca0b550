package contracts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
)

func ptr[T any](v T) *T { return &v }

func TestTermsArePlanWithOverrides(t *testing.T) {
	c := &contracts.Contract{ID: "c_1", Spec: contracts.Spec{
		Customer: "Example GmbH", Plan: "basic", StartsOn: "2026-01-01", Domains: []string{"example.at"},
		FirstResponse:   map[string]string{"critical": "2h", "low": "0s"},
		Resolution:      map[string]string{"high": "45s"},
		QuotaPerMonth:   ptr(0),
		HourlyRateCents: ptr(int64(9500)), AtRiskPercent: ptr(50), Critical247: ptr(false),
		EmergencyPhone: "+43 1 234", BillingIncrement: "15m",
		Calendar: sla.CalendarSpec{ClosedDays: []string{"2026-12-24"}},
	}}
	got, err := c.Terms()
	if err != nil {
		t.Fatal(err)
	}
	h := sla.Duration(time.Hour)
	want := struct {
		FirstResponse, Resolution sla.Targets
		Quota, AtRisk             int
		Hourly, Critical          int64
		Critical247, Confirmation bool
		Phone, Plan, ID, Name     string
		Increment                 time.Duration
	}{
		FirstResponse: sla.Targets{sla.Medium: 48 * h, sla.High: 48 * h, sla.Critical: 2 * h},
		Resolution:    sla.Targets{sla.High: sla.Duration(45 * time.Second)},
		Quota:         0, AtRisk: 50, Hourly: 9500, Critical: 16000,
		Phone: "+43 1 234", Plan: "basic", ID: "c_1", Name: "Example GmbH", Increment: 15 * time.Minute,
	}
	gotView := want
	gotView.FirstResponse, gotView.Resolution = got.FirstResponse, got.Resolution
	gotView.Quota, gotView.AtRisk, gotView.Hourly, gotView.Critical = got.QuotaPerMonth, got.AtRiskPercent, got.HourlyRateCents, got.CriticalRateCents
	gotView.Critical247, gotView.Confirmation = got.Critical247, got.Confirmation
	gotView.Phone, gotView.Plan, gotView.ID, gotView.Name = got.EmergencyPhone, got.Plan, got.ContractID, got.ContractName
	gotView.Increment = got.BillingIncrement
	if d := cmp.Diff(want, gotView); d != "" {
		t.Errorf("terms (-want +got):\n%s", d)
	}
	if got.Calendar == nil {
		t.Error("no calendar")
	}
	// The plan itself is untouched by a contract's overrides.
	if p, _ := sla.LookupPlan("basic"); p.FirstResponse[sla.Low] != 48*h || p.QuotaPerMonth != 5 {
		t.Errorf("plan changed: %+v", p)
	}
}

func TestTermsFailForAContractThatWouldNotValidate(t *testing.T) {
	for _, c := range []*contracts.Contract{
		{Spec: contracts.Spec{Plan: "gold"}},
		{Spec: contracts.Spec{Plan: "sla1", FirstResponse: map[string]string{"high": "soon"}}},
		{Spec: contracts.Spec{Plan: "sla1", Calendar: sla.CalendarSpec{TimeZone: "Nowhere/Town"}}},
	} {
		if _, err := c.Terms(); err == nil {
			t.Errorf("Terms of %+v: no error", c.Spec)
		}
	}
}

func TestMergePatchFollowsRFC7396(t *testing.T) {
	base := contracts.Spec{
		Customer: "A", Plan: "sla1", StartsOn: "2026-01-01", EndsOn: "2026-12-31",
		Domains: []string{"a.at", "b.at"}, QuotaPerMonth: ptr(7),
		FirstResponse: map[string]string{"low": "1h", "high": "2h"},
	}
	got, err := contracts.MergePatch(base, []byte(`{"ends_on": null, "quota_per_month": null,
		"domains": ["c.at"], "first_response": {"low": null, "medium": "3h"}, "customer": "B"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := contracts.Spec{
		Customer: "B", Plan: "sla1", StartsOn: "2026-01-01",
		Domains: []string{"c.at"}, FirstResponse: map[string]string{"high": "2h", "medium": "3h"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("merged (-want +got):\n%s", d)
	}
	if base.EndsOn != "2026-12-31" || *base.QuotaPerMonth != 7 || base.FirstResponse["low"] != "1h" {
		t.Errorf("MergePatch changed its input: %+v", base)
	}
}

func FuzzMergePatchNeverPanics(f *testing.F) {
	f.Add([]byte(`{"customer": "x", "calendar": {"weekdays": null}}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"first_response": {"low": 5}}`))
	base := contracts.Spec{Customer: "A", Plan: "sla1", StartsOn: "2026-01-01", Domains: []string{"a.at"}}
	f.Fuzz(func(t *testing.T, patch []byte) {
		s, err := contracts.MergePatch(base, patch)
		if err == nil {
			_ = s.Validate(nil)
		}
	})
}

func TestRepoMatchWithoutContractIsErrNoContract(t *testing.T) {
	repo := contracts.NewRepo(redistest.Client(t), nil)
	_, err := repo.Match(t.Context(), contracts.MatchQuery{Email: "a@example.at", At: now})
	if !errors.Is(err, contracts.ErrNoContract) {
		t.Fatalf("err = %v, want ErrNoContract", err)
	}
	if _, err := repo.Get(t.Context(), "c_none"); !errors.Is(err, contracts.ErrNotFound) {
		t.Fatalf("Get err = %v, want ErrNotFound", err)
	}
}

func TestEveryRouteIsInTheSpec(t *testing.T) {
	s := newServer(t)
	apitest.Routes(t, s.e)
	var n int
	for _, r := range s.e.Routes() {
		if r.Method != echo.RouteNotFound {
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d routes registered", n)
	}
}
