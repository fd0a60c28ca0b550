package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

// form is what a person typed into the contract form, by field name. Field names are the
// API's JSON paths ("first_response.high"), so the API's validation messages land next to
// the field they name.
type form map[string]string

// priorities in the order the form shows them.
var priorities = []sla.Priority{sla.Low, sla.Medium, sla.High, sla.Critical}

// formOf shows a stored spec in the form's terms.
func formOf(s contracts.Spec) form {
	f := form{
		"customer": s.Customer, "plan": s.Plan, "starts_on": string(s.StartsOn), "ends_on": string(s.EndsOn),
		"organizations": strings.Join(s.Organizations, "\n"), "domains": strings.Join(s.Domains, "\n"),
		"emergency_phone": s.EmergencyPhone, "billing_increment": s.BillingIncrement,
		"calendar.preset": s.Calendar.Preset, "calendar.closed_days": strings.Join(s.Calendar.ClosedDays, "\n"),
		"critical_24x7": triState(s.Critical247), "confirmation": triState(s.Confirmation),
	}
	for _, p := range priorities {
		f["first_response."+string(p)] = s.FirstResponse[string(p)]
		f["resolution."+string(p)] = s.Resolution[string(p)]
	}
	if s.QuotaPerMonth != nil {
		f["quota_per_month"] = strconv.Itoa(*s.QuotaPerMonth)
	}
	if s.AtRiskPercent != nil {
		f["at_risk_percent"] = strconv.Itoa(*s.AtRiskPercent)
	}
	if s.HourlyRateCents != nil {
		f["hourly_rate_cents"] = euros(*s.HourlyRateCents)
	}
	if s.CriticalRateCents != nil {
		f["critical_rate_cents"] = euros(*s.CriticalRateCents)
	}
	if n := s.Notify; n != nil {
		f["notify.slack_url"], f["notify.teams_url"], f["notify.mattermost_url"] = n.SlackURL, n.TeamsURL, n.MattermostURL
		f["notify.email"] = strings.Join(n.Email, "\n")
		if len(n.Marks) == 1 {
			f["notify.marks"] = n.Marks[0]
		}
	}
	return f
}

// spec turns the form into a spec on top of base (the stored spec when editing), so what
// the form does not show (a calendar's hours, say) is kept. It returns the fields it could
// not even read; the spec's own validation follows.
func (f form) spec(base contracts.Spec) (contracts.Spec, []problem.FieldError) {
	var bad []problem.FieldError
	s := base
	s.Customer, s.Plan = f["customer"], f["plan"]
	s.StartsOn, s.EndsOn = contracts.Date(strings.TrimSpace(f["starts_on"])), contracts.Date(strings.TrimSpace(f["ends_on"]))
	s.Organizations, s.Domains = lines(f["organizations"]), lines(f["domains"])
	s.EmergencyPhone, s.BillingIncrement = f["emergency_phone"], strings.TrimSpace(f["billing_increment"])
	s.Calendar.Preset = f["calendar.preset"]
	s.Calendar.ClosedDays = lines(f["calendar.closed_days"])
	s.FirstResponse, s.Resolution = targets(f, "first_response"), targets(f, "resolution")
	var err string
	if s.QuotaPerMonth, err = optInt(f["quota_per_month"]); err != "" {
		bad = append(bad, problem.FieldError{Field: "quota_per_month", Reason: err})
	}
	if s.AtRiskPercent, err = optInt(f["at_risk_percent"]); err != "" {
		bad = append(bad, problem.FieldError{Field: "at_risk_percent", Reason: err})
	}
	if s.HourlyRateCents, err = optCents(f["hourly_rate_cents"]); err != "" {
		bad = append(bad, problem.FieldError{Field: "hourly_rate_cents", Reason: err})
	}
	if s.CriticalRateCents, err = optCents(f["critical_rate_cents"]); err != "" {
		bad = append(bad, problem.FieldError{Field: "critical_rate_cents", Reason: err})
	}
	s.Critical247, s.Confirmation = optBool(f["critical_24x7"]), optBool(f["confirmation"])
	s.Notify = f.notify()
	return s, bad
}

// notify is the form's push-notification setting; nil when it names no target.
func (f form) notify() *contracts.Notify {
	n := &contracts.Notify{SlackURL: strings.TrimSpace(f["notify.slack_url"]), TeamsURL: strings.TrimSpace(f["notify.teams_url"]),
		MattermostURL: strings.TrimSpace(f["notify.mattermost_url"]), Email: lines(f["notify.email"])}
	if m := f["notify.marks"]; m != "" {
		n.Marks = []string{m}
	}
	if len(n.Channels()) == 0 {
		return nil
	}
	return n
}

func targets(f form, clock string) map[string]string {
	var m map[string]string
	for _, p := range priorities {
		if v := strings.TrimSpace(f[clock+"."+string(p)]); v != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[string(p)] = v
		}
	}
	return m
}

// lines splits a textarea into its entries: one per line (commas separate too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func optInt(s string) (*int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, "must be a whole number"
	}
	return &n, ""
}

func triState(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

func optBool(s string) *bool {
	switch s {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

var euroPattern = regexp.MustCompile(`^(\d{1,9})(?:[.,](\d{1,2}))?$`)

// optCents reads an amount in euros ("160", "160.5", "160,50") into cents, exactly: no
// float ever holds money.
func optCents(s string) (*int64, string) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if s == "" {
		return nil, ""
	}
	m := euroPattern.FindStringSubmatch(s)
	if m == nil {
		return nil, "must be an amount in euros like 160.00"
	}
	whole, _ := strconv.ParseInt(m[1], 10, 64)
	frac := int64(0)
	if m[2] != "" {
		frac, _ = strconv.ParseInt(m[2], 10, 64)
		if len(m[2]) == 1 {
			frac *= 10
		}
	}
	c := whole*100 + frac
	return &c, ""
}

// euros writes cents as euros with two decimals: 16000 → "160.00".
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// fieldOf is the form field an API field path belongs to: "organizations[2]" is the
// organisations box, "first_response.high" its own input.
func fieldOf(path string) string {
	if i := strings.IndexByte(path, '['); i >= 0 {
		return path[:i]
	}
	return path
}
