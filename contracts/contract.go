package contracts

import (
	"errors"
	"time"

	"github.com/monobunt/slaguard/sla"

	// Europe/Vienna must load on hosts without a zoneinfo database.
	_ "time/tzdata"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound: no contract has the id.
	ErrNotFound = errors.New("contracts: contract not found")
	// ErrNoContract: no active contract matches a ticket.
	ErrNoContract = errors.New("contracts: no active contract matches")
	// ErrStale: the version the caller read is no longer the stored one.
	ErrStale = errors.New("contracts: contract was changed by someone else")
	// ErrExists: a contract with the id is already stored (Import).
	ErrExists = errors.New("contracts: a contract with this id exists")
	// ErrDeleted: the contract is (soft-)deleted and can no longer change.
	ErrDeleted = errors.New("contracts: contract is deleted")
	// ErrConflict: another contract of overlapping validity holds an organisation or a
	// domain; the error is a *ConflictError.
	ErrConflict = errors.New("contracts: organisation or domain held by another contract")
)

// ConflictError names the contract that already holds an organisation or domain.
type ConflictError struct {
	ContractID string // the holding contract
	Kind       string // "organization" or "domain"
	Value      string // the organisation (lowercased) or domain
}

func (e *ConflictError) Error() string {
	return "contracts: " + e.Kind + " " + e.Value + " is held by contract " + e.ContractID
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Contract is one customer's support contract as stored and as the API shows it.
type Contract struct {
	ID string `json:"id"`
	Spec
	// Deleted is set by a soft delete; the contract then ends on DeletedAt's day at the latest.
	Deleted   bool       `json:"deleted"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// Version counts writes, starting at 1; the ETag is "v<Version>".
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Spec is what an admin writes about a contract: the body of POST and PUT, and what a
// PATCH merges into. Dates and durations are strings here so validation can name the bad
// field; Terms turns them into typed values.
type Spec struct {
	Customer string `json:"customer" validate:"required,max=200"`
	Plan     string `json:"plan" validate:"required"`
	// StartsOn and EndsOn are inclusive local dates (YYYY-MM-DD, Europe/Vienna);
	// an empty EndsOn means open-ended.
	StartsOn Date `json:"starts_on" validate:"required"`
	EndsOn   Date `json:"ends_on,omitempty"`
	// Organizations are helpdesk organisation ids or names; Domains are customer e-mail
	// domains (lowercase FQDNs). At least one of the two is required.
	Organizations []string `json:"organizations,omitempty" validate:"max=100,dive,required,max=200"`
	Domains       []string `json:"domains,omitempty" validate:"max=100,dive,required,max=253,fqdn"`
	// Calendar is the business calendar; its zero value is the policy's default.
	Calendar sla.CalendarSpec `json:"calendar"`
	// Overrides of the plan: a nil pointer or an absent key keeps the plan's value.
	// Targets map a priority to a duration like "8h", "90m" or "45s"; "0s" removes it.
	FirstResponse     map[string]string `json:"first_response,omitempty"`
	Resolution        map[string]string `json:"resolution,omitempty"`
	QuotaPerMonth     *int              `json:"quota_per_month,omitempty" validate:"omitnil,gte=0,lte=100000"`
	HourlyRateCents   *int64            `json:"hourly_rate_cents,omitempty" validate:"omitnil,gte=0"`
	CriticalRateCents *int64            `json:"critical_rate_cents,omitempty" validate:"omitnil,gte=0"`
	AtRiskPercent     *int              `json:"at_risk_percent,omitempty" validate:"omitnil,min=1,max=99"`
	Critical247       *bool             `json:"critical_24x7,omitempty"`
	Confirmation      *bool             `json:"confirmation,omitempty"`
	// EmergencyPhone is told to customers reporting a critical problem off hours.
	EmergencyPhone string `json:"emergency_phone,omitempty" validate:"max=40"`
	// BillingIncrement rounds billable entries up to a multiple of it ("15m"); empty or
	// "0s" means no rounding.
	BillingIncrement string `json:"billing_increment,omitempty"`
	// Notify pushes at-risk and breach warnings to chat webhooks and e-mail; nil: none.
	Notify *Notify `json:"notify,omitempty"`
}

// ETag is the entity tag of the contract's current version, quoted: "v3".
func (c *Contract) ETag() string { return ETagOf(c.Version) }

// ActiveOn reports whether the contract covers the local date d (YYYY-MM-DD).
func (c *Contract) ActiveOn(d Date) bool {
	return c.StartsOn <= d && (c.EndsOn == "" || d <= c.EndsOn)
}

// ActiveAt reports whether the contract covers the instant t (its Vienna date).
func (c *Contract) ActiveAt(t time.Time) bool { return c.ActiveOn(DateOf(t)) }
