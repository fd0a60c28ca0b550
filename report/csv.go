package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"
)

// csvHeader names the CSV's columns. Every row has all of them; the first, row, says what
// the row is: "contract" (a contract's month), "priority" (one priority of the contract
// above it), "total" (all contracts, then its "priority" rows), "breach" (one breached clock)
// and, last, "definition" (how achievement is counted, in the note column, as of when).
var csvHeader = []string{"row", "month", "contract_id", "customer", "plan", "priority", "tickets",
	"first_response_met", "first_response_breached", "first_response_pending", "first_response_percent",
	"resolution_met", "resolution_breached", "resolution_pending", "resolution_percent",
	"change_requests", "quota_included", "quota_counted", "over_quota", "paused_hours",
	"regie_minutes", "regie_amount_eur",
	"ticket", "number", "title", "clock", "deadline_vienna", "met_at_vienna", "late_hours", "note"}

// WriteCSV writes the report as one CSV table (RFC 4180, comma, dot decimals, hours of
// business time with two decimals, euros with two decimals); see csvHeader for its rows.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	row := func(kv map[string]string) {
		rec := make([]string, len(csvHeader))
		for i, h := range csvHeader {
			rec[i] = kv[h]
		}
		_ = cw.Write(rec)
	}
	_ = cw.Write(csvHeader)
	sections := append(append([]Section{}, r.Contracts...), r.Total)
	for i, s := range sections {
		kind := "contract"
		if i == len(sections)-1 {
			kind = "total"
		}
		kv := map[string]string{"row": kind, "month": r.Month, "contract_id": s.ContractID, "customer": s.Customer,
			"plan": s.Plan, "tickets": strconv.Itoa(s.Tickets), "change_requests": strconv.Itoa(s.ChangeRequests),
			"quota_included": strconv.Itoa(s.QuotaIncluded), "quota_counted": strconv.Itoa(s.QuotaCounted),
			"over_quota": strconv.Itoa(s.OverQuota), "paused_hours": hours(s.PausedSeconds),
			"regie_minutes": strconv.FormatInt(s.RegieMinutes, 10), "regie_amount_eur": euros(s.RegieAmountCts)}
		achievementCells(kv, s.FirstResponse, s.Resolution)
		row(kv)
		for _, p := range s.ByPriority {
			kv := map[string]string{"row": "priority", "month": r.Month, "contract_id": s.ContractID,
				"customer": s.Customer, "plan": s.Plan, "priority": string(p.Priority), "tickets": strconv.Itoa(p.Tickets)}
			achievementCells(kv, p.FirstResponse, p.Resolution)
			row(kv)
		}
	}
	for _, b := range r.Total.Breaches {
		kv := map[string]string{"row": "breach", "month": r.Month, "contract_id": b.ContractID, "customer": b.Customer,
			"priority": string(b.Priority), "ticket": b.Ticket, "number": b.Number, "title": b.Title, "clock": b.Clock,
			"deadline_vienna": viennaTime(b.Deadline), "late_hours": hours(b.LateSeconds), "paused_hours": hours(b.PausedSeconds)}
		if b.MetAt != nil {
			kv["met_at_vienna"] = viennaTime(*b.MetAt)
		}
		row(kv)
	}
	row(map[string]string{"row": "definition", "month": r.Month, "note": r.Definition + " As of " + viennaTime(r.AsOf) + " (Europe/Vienna)."})
	cw.Flush()
	return cw.Error()
}

// FileName is the name a report's CSV is saved under: slaguard-sla-2026-11.csv, or with
// the contract id (letters, digits, ".", "_" and "-" only) for one contract's.
func FileName(month, contractID string) string {
	name := "slaguard-sla-" + month
	if contractID != "" {
		name += "-" + unsafeName.ReplaceAllString(contractID, "_")
	}
	return name + ".csv"
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func achievementCells(kv map[string]string, fr, rs Achievement) {
	for _, c := range []struct {
		name string
		a    Achievement
	}{{"first_response", fr}, {"resolution", rs}} {
		kv[c.name+"_met"] = strconv.Itoa(c.a.Met)
		kv[c.name+"_breached"] = strconv.Itoa(c.a.Breached)
		kv[c.name+"_pending"] = strconv.Itoa(c.a.Pending)
		kv[c.name+"_percent"] = percentText(c.a)
	}
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
