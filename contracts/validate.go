package contracts

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

// Normalize tidies what an admin typed without changing its meaning: it trims names,
// lowercases domains (dropping a trailing dot) and drops duplicate organisations and domains.
func (s *Spec) Normalize() {
	s.Customer = strings.TrimSpace(s.Customer)
	s.Plan = strings.TrimSpace(s.Plan)
	s.EmergencyPhone = strings.TrimSpace(s.EmergencyPhone)
	s.Organizations = dedupe(s.Organizations, strings.TrimSpace)
	s.Domains = dedupe(s.Domains, func(d string) string {
		return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	})
	s.Notify.normalize()
}

func dedupe(in []string, norm func(string) string) []string {
	if in == nil {
		return nil
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, v := range in {
		v = norm(v)
		k := strings.ToLower(v)
		if v != "" && seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// Validate checks s completely: the struct rules (tags, checked by tags, normally echo's
// validator built by problem.NewValidator) and the rules that need more than a tag (known
// plan, real dates, durations, priorities, calendar, an effective hourly rate). It returns
// nil or a 422 *problem.Problem that lists every bad field by its JSON path.
func (s *Spec) Validate(tags interface{ Validate(any) error }) error {
	if tags == nil {
		tags = defaultValidator
	}
	var bad []problem.FieldError
	if err := tags.Validate(s); err != nil {
		p, ok := err.(*problem.Problem)
		if !ok {
			return fmt.Errorf("contracts: validate: %w", err)
		}
		bad = append(bad, p.Errors...)
	}
	bad = append(bad, s.check()...)
	if len(bad) == 0 {
		return nil
	}
	return problem.Fields(http.StatusUnprocessableEntity, "the contract has invalid fields", bad...)
}

var defaultValidator = problem.NewValidator()

func (s *Spec) check() []problem.FieldError {
	var bad []problem.FieldError
	add := func(field, reason string) { bad = append(bad, problem.FieldError{Field: field, Reason: reason}) }

	plan, known := sla.LookupPlan(s.Plan)
	if s.Plan != "" && !known {
		add("plan", "is not a known plan; one of: "+strings.Join(sla.PlanIDs(), ", "))
	}
	if s.StartsOn != "" && !s.StartsOn.Valid() {
		add("starts_on", "must be a date like 2026-01-31")
	}
	if s.EndsOn != "" {
		switch {
		case !s.EndsOn.Valid():
			add("ends_on", "must be a date like 2026-12-31")
		case s.StartsOn.Valid() && s.EndsOn < s.StartsOn:
			add("ends_on", "must not be before starts_on")
		}
	}
	if len(s.Organizations) == 0 && len(s.Domains) == 0 {
		add("organizations", "organizations or domains must name at least one entry")
		add("domains", "organizations or domains must name at least one entry")
	}
	checkTargets("first_response", s.FirstResponse, add)
	checkTargets("resolution", s.Resolution, add)
	if s.BillingIncrement != "" {
		if d, err := sla.ParseDuration(s.BillingIncrement); err != nil || d < 0 {
			add("billing_increment", "must be a duration like 15m (0s for none)")
		} else if d.D() > 24*time.Hour {
			add("billing_increment", "must be at most 24h")
		}
	}
	if s.EmergencyPhone != "" && !phonePattern.MatchString(s.EmergencyPhone) {
		add("emergency_phone", "must be a phone number like +43 1 234 56 78")
	}
	if known && s.HourlyRateCents == nil && plan.HourlyRateCents <= 0 {
		add("hourly_rate_cents", "is required: the plan names no hourly rate")
	} else if s.HourlyRateCents != nil && *s.HourlyRateCents == 0 && plan.HourlyRateCents <= 0 {
		add("hourly_rate_cents", "must be greater than 0")
	}
	bad = append(bad, checkCalendar(s.Calendar)...)
	s.Notify.check(add)
	return bad
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()/-]{3,38}$`)

func checkTargets(field string, m map[string]string, add func(field, reason string)) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		path := field + "." + k
		if !sla.Priority(k).Valid() {
			add(path, "is not a priority; one of: low, medium, high, critical")
			continue
		}
		d, err := sla.ParseDuration(v)
		switch {
		case err != nil:
			add(path, "must be a duration like 8h, 90m or 45s")
		case d < 0:
			add(path, "must not be negative")
		case d.D() > 24*365*time.Hour:
			add(path, "must be at most a year")
		}
	}
}
