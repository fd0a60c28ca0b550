package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// WriteCSV writes the report as CSV (RFC 4180, comma, dot decimals): first one row per
// contract and priority ("all" rows carry the contract's totals, quota, paused time and
// Regie; the "total" contract row is all contracts), then an empty line and the breaches.
// The definition of the achievement figures is the last line.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"month", "contract_id", "customer", "plan", "priority", "tickets",
		"first_response_met", "first_response_breached", "first_response_pending", "first_response_percent",
		"resolution_met", "resolution_breached", "resolution_pending", "resolution_percent",
		"change_requests", "quota_included", "quota_counted", "over_quota", "paused_hours",
		"regie_minutes", "regie_amount_eur"})
	sections := append(append([]Section{}, r.Contracts...), r.Total)
	for i, s := range sections {
		id := s.ContractID
		if i == len(sections)-1 {
			id = "total"
		}
		_ = cw.Write(append([]string{r.Month, id, s.Customer, s.Plan, "all", strconv.Itoa(s.Tickets)},
			append(achievementCells(s.FirstResponse, s.Resolution),
				strconv.Itoa(s.ChangeRequests), strconv.Itoa(s.QuotaIncluded), strconv.Itoa(s.QuotaCounted),
				strconv.Itoa(s.OverQuota), hours(s.PausedSeconds), strconv.FormatInt(s.RegieMinutes, 10),
				euros(s.RegieAmountCts))...))
		for _, p := range s.ByPriority {
			_ = cw.Write(append([]string{r.Month, id, s.Customer, s.Plan, string(p.Priority), strconv.Itoa(p.Tickets)},
				append(achievementCells(p.FirstResponse, p.Resolution), "", "", "", "", "", "", "")...))
		}
	}
	_ = cw.Write(nil)
	_ = cw.Write([]string{"breach_ticket", "number", "title", "contract_id", "priority", "clock",
		"deadline_vienna", "met_at_vienna", "late_hours", "paused_hours"})
	for _, b := range r.Total.Breaches {
		met := ""
		if b.MetAt != nil {
			met = viennaTime(*b.MetAt)
		}
		_ = cw.Write([]string{b.Ticket, b.Number, b.Title, b.ContractID, string(b.Priority), b.Clock,
			viennaTime(b.Deadline), met, hours(b.LateSeconds), hours(b.PausedSeconds)})
	}
	_ = cw.Write(nil)
	_ = cw.Write([]string{"definition", r.Definition})
	_ = cw.Write([]string{"as_of_vienna", viennaTime(r.AsOf)})
	cw.Flush()
	return cw.Error()
}

func achievementCells(fr, rs Achievement) []string {
	return []string{strconv.Itoa(fr.Met), strconv.Itoa(fr.Breached), strconv.Itoa(fr.Pending), percentText(fr),
		strconv.Itoa(rs.Met), strconv.Itoa(rs.Breached), strconv.Itoa(rs.Pending), percentText(rs)}
}

// percentText is the percentage with one decimal, "" when no clock was decided.
func percentText(a Achievement) string {
	if a.Percent == nil {
		return ""
	}
	return strconv.FormatFloat(*a.Percent, 'f', 1, 64)
}

// hours writes seconds as hours with two decimals (exact to the 36 s).
func hours(sec int64) string {
	return fmt.Sprintf("%d.%02d", sec/3600, sec%3600*100/3600)
}

// euros writes cents as euros with two decimals; no float holds money.
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

func viennaTime(t time.Time) string { return t.In(viennaLoc()).Format("2006-01-02 15:04") }
