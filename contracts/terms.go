package contracts

import (
	"fmt"

	"github.com/monobunt/slaguard/sla"
)

// Terms returns the contract's effective terms: its plan with every override applied and
// its calendar built. It fails only for a contract that would not pass validation (an
// unknown plan, a bad duration or calendar), e.g. one stored by an older version.
func (c *Contract) Terms() (sla.Terms, error) {
	plan, ok := sla.LookupPlan(c.Plan)
	if !ok {
		return sla.Terms{}, fmt.Errorf("contracts: terms of %s: unknown plan %q", c.ID, c.Plan)
	}
	t := sla.TermsOf(plan)
	t.ContractID, t.ContractName = c.ID, c.Customer
	if err := overlay(t.FirstResponse, c.FirstResponse); err != nil {
		return sla.Terms{}, fmt.Errorf("contracts: terms of %s: first_response: %w", c.ID, err)
	}
	if err := overlay(t.Resolution, c.Resolution); err != nil {
		return sla.Terms{}, fmt.Errorf("contracts: terms of %s: resolution: %w", c.ID, err)
	}
	if c.QuotaPerMonth != nil {
		t.QuotaPerMonth = *c.QuotaPerMonth
	}
	if c.HourlyRateCents != nil {
		t.HourlyRateCents = *c.HourlyRateCents
	}
	if c.CriticalRateCents != nil {
		t.CriticalRateCents = *c.CriticalRateCents
	}
	if c.AtRiskPercent != nil {
		t.AtRiskPercent = *c.AtRiskPercent
	}
	if c.Critical247 != nil {
		t.Critical247 = *c.Critical247
	}
	if c.Confirmation != nil {
		t.Confirmation = *c.Confirmation
	}
	t.EmergencyPhone = c.EmergencyPhone
	if c.BillingIncrement != "" {
		d, err := sla.ParseDuration(c.BillingIncrement)
		if err != nil {
			return sla.Terms{}, fmt.Errorf("contracts: terms of %s: billing_increment: %w", c.ID, err)
		}
		t.BillingIncrement = d.D()
	}
	cal, err := sla.NewCalendar(c.Calendar)
	if err != nil {
		return sla.Terms{}, fmt.Errorf("contracts: terms of %s: %w", c.ID, err)
	}
	t.Calendar = cal
	return t, nil
}

// overlay writes the overrides into targets; a zero duration removes the target.
func overlay(targets sla.Targets, overrides map[string]string) error {
	for k, v := range overrides {
		p, err := sla.ParsePriority(k)
		if err != nil {
			return err
		}
		d, err := sla.ParseDuration(v)
		if err != nil {
			return err
		}
		if d == 0 {
			delete(targets, p)
			continue
		}
		targets[p] = d
	}
	return nil
}

// Effective is the JSON form of a contract's effective terms (GET …/effective).
type Effective struct {
	ContractID        string           `json:"contract_id"`
	Customer          string           `json:"customer"`
	Plan              string           `json:"plan"`
	FirstResponse     sla.Targets      `json:"first_response"`
	Resolution        sla.Targets      `json:"resolution"`
	Critical247       bool             `json:"critical_24x7"`
	QuotaPerMonth     int              `json:"quota_per_month"`
	HourlyRateCents   int64            `json:"hourly_rate_cents"`
	CriticalRateCents int64            `json:"critical_rate_cents"`
	AtRiskPercent     int              `json:"at_risk_percent"`
	Confirmation      bool             `json:"confirmation"`
	EmergencyPhone    string           `json:"emergency_phone"`
	BillingIncrement  sla.Duration     `json:"billing_increment"`
	Calendar          sla.CalendarSpec `json:"calendar"`
}

// EffectiveOf renders terms (from c.Terms) for the API.
func EffectiveOf(c *Contract, t sla.Terms) Effective {
	return Effective{
		ContractID: t.ContractID, Customer: t.ContractName, Plan: t.Plan,
		FirstResponse: t.FirstResponse, Resolution: t.Resolution, Critical247: t.Critical247,
		QuotaPerMonth: t.QuotaPerMonth, HourlyRateCents: t.HourlyRateCents,
		CriticalRateCents: t.CriticalRateCents, AtRiskPercent: t.AtRiskPercent,
		Confirmation: t.Confirmation, EmergencyPhone: t.EmergencyPhone,
		BillingIncrement: sla.Duration(t.BillingIncrement), Calendar: c.Calendar,
	}
}
