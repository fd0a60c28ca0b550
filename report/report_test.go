package report

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// vt reads "2006-01-02 15:04" as Europe/Vienna local time.
func vt(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, sla.Vienna)
	if err != nil {
		t.Fatal(err)
	}
	return at.UTC()
}

func sla1(t *testing.T) *sla.Terms {
	t.Helper()
	p, ok := sla.LookupPlan("sla1")
	if !ok {
		t.Fatal("no plan sla1")
	}
	terms := sla.TermsOf(p)
	terms.ContractID = "c-1"
	return &terms
}

// ticket builds a web ticket created at a Vienna time; steps are "at state" changes
// ("open", "pending", "closed") or "at reply" (a public agent reply).
func ticket(t *testing.T, id, created string, p sla.Priority, steps ...[2]string) sla.Ticket {
	t.Helper()
	at := vt(t, created)
	tk := sla.Ticket{ID: id, Number: "100" + id, Title: "Ticket " + id, Channel: sla.ChannelWeb, CreatedAt: at,
		Snapshots: []sla.Snapshot{{At: at, State: "new", Priority: p, Article: &sla.Message{ID: id + "-a0", At: at,
			Public: true, Channel: sla.ChannelWeb, Subject: "Ticket " + id, Body: "Hallo"}}}}
	state := "new"
	for i, s := range steps {
		when := vt(t, s[0])
		snap := sla.Snapshot{At: when, State: state, Priority: p}
		switch s[1] {
		case "reply":
			snap.Article = &sla.Message{ID: id + "-r" + string(rune('0'+i)), At: when, FromAgent: true, Public: true,
				Channel: sla.ChannelWeb, Body: "Antwort"}
		default:
			state = s[1]
			snap.State = state
		}
		snap.Paused, snap.Closed = state == "pending", state == "closed"
		tk.Snapshots = append(tk.Snapshots, snap)
	}
	return tk
}

func evaluated(t *testing.T, terms *sla.Terms, tk sla.Ticket, asOf time.Time) Ticket {
	st := sla.Evaluate(terms, tk, nil, asOf)
	return Ticket{Key: "zammad:" + tk.ID, Number: tk.Number, Title: tk.Title, ContractID: terms.ContractID,
		CreatedAt: tk.CreatedAt, Status: st, Calendar: terms.CalendarFor(st.Priority)}
}

func pct(a Achievement) float64 {
	if a.Percent == nil {
		return -1
	}
	return *a.Percent
}

// The policy's worked examples (POLICY.md, Business hours), as tickets of November 2026
// reported on Friday 2026-12-04 12:00 Vienna.
func TestReportOfThePolicyExamples(t *testing.T) {
	terms := sla1(t)
	asOf := vt(t, "2026-12-04 12:00")
	tickets := []sla.Ticket{
		// Mon 09:00 + 48 h (medium resolution), waiting Mon 11:00 – Wed 14:00 → deadline
		// Wed 2026-12-02 15:00. Answered at 10:00 (met), closed Thu 12-03 10:00: 2 h of Wed
		// + 2 h of Thu late. It stood still Mon 6 h + Tue 9 h + Wed 6 h = 21 h.
		ticket(t, "1", "2026-11-23 09:00", sla.Medium,
			[2]string{"2026-11-23 10:00", "reply"}, [2]string{"2026-11-23 11:00", "pending"},
			[2]string{"2026-11-25 14:00", "open"}, [2]string{"2026-12-03 10:00", "closed"}),
		// Fri 16:00 + 8 h (first response) → Mon 2026-11-30 15:00. No answer; waiting on
		// the customer from Mon 16:00: breached 1 h late, and it stays breached while
		// paused. Resolution (low, 72 h) has 9 h used and is paused: pending.
		ticket(t, "2", "2026-11-27 16:00", sla.Low, [2]string{"2026-11-30 16:00", "pending"}),
		// High: 8 h answer, 12 h resolution, both met.
		ticket(t, "3", "2026-11-02 09:00", sla.High,
			[2]string{"2026-11-02 09:30", "reply"}, [2]string{"2026-11-02 15:00", "closed"}),
		// Created in November, answered and still open before its deadlines: the answer is
		// met, the resolution (medium 48 h from Mon 11-30 08:00 → Mon 12-07 08:00+…) pending.
		ticket(t, "4", "2026-11-30 08:00", sla.Medium, [2]string{"2026-11-30 09:00", "reply"}),
	}
	in := Input{Month: "2026-11", AsOf: asOf,
		Contracts: []Contract{{ID: "c-1", Customer: "Beispiel GmbH", Plan: "sla1", QuotaPerMonth: 5},
			{ID: "c-2", Customer: "Leer AG", Plan: "basic", QuotaPerMonth: 5}},
		Regie: map[string]Regie{"c-1": {BilledSeconds: 90*60 + 1, AmountCents: 18000}}}
	for _, tk := range tickets {
		in.Tickets = append(in.Tickets, evaluated(t, terms, tk, asOf))
	}
	r := Build(in)

	if len(r.Contracts) != 1 || r.Contracts[0].ContractID != "c-1" {
		t.Fatalf("sections %+v, want only c-1 (c-2 has nothing in the month)", r.Contracts)
	}
	s := r.Contracts[0]
	if s.Tickets != 4 || s.QuotaCounted != 4 || s.OverQuota != 0 || s.QuotaIncluded != 5 {
		t.Errorf("tickets %d counted %d over %d included %d, want 4 4 0 5", s.Tickets, s.QuotaCounted, s.OverQuota, s.QuotaIncluded)
	}
	// First response: 1, 3, 4 met; 2 breached → 3/4 = 75 %. Resolution: 3 met, 1 breached,
	// 2 and 4 pending → 1/2 = 50 %.
	if fr := s.FirstResponse; fr.Met != 3 || fr.Breached != 1 || fr.Pending != 0 || pct(fr) != 75 {
		t.Errorf("first response %+v (%v %%), want 3 met 1 breached 75 %%", fr, pct(fr))
	}
	if rs := s.Resolution; rs.Met != 1 || rs.Breached != 1 || rs.Pending != 2 || pct(rs) != 50 {
		t.Errorf("resolution %+v (%v %%), want 1 met 1 breached 2 pending 50 %%", rs, pct(rs))
	}
	med := s.ByPriority[sla.Medium.Rank()]
	if med.Tickets != 2 || pct(med.FirstResponse) != 100 || pct(med.Resolution) != 0 || med.Resolution.Pending != 1 {
		t.Errorf("medium row %+v", med)
	}
	if crit := s.ByPriority[sla.Critical.Rank()]; crit.Tickets != 0 || crit.FirstResponse.Percent != nil {
		t.Errorf("critical row %+v, want empty with no percentage", crit)
	}

	if len(s.Breaches) != 2 {
		t.Fatalf("breaches %+v, want 2", s.Breaches)
	}
	b2, b1 := s.Breaches[0], s.Breaches[1] // by deadline: ticket 2's Mon 30th, then ticket 1's Wed 2nd
	if b2.Ticket != "zammad:2" || b2.Clock != ClockFirstResponse || !b2.Deadline.Equal(vt(t, "2026-11-30 15:00")) ||
		b2.LateSeconds != 3600 || b2.MetAt != nil {
		t.Errorf("ticket 2's breach %+v, want first response due Mon 15:00, 1 h late, unmet", b2)
	}
	// Paused from Mon 16:00 to Fri 12:00: Mon 1 h + Tue–Thu 27 h + Fri 4 h = 32 h.
	if b2.PausedSeconds != 32*3600 {
		t.Errorf("ticket 2 paused %v, want 32h", time.Duration(b2.PausedSeconds)*time.Second)
	}
	if b1.Ticket != "zammad:1" || b1.Clock != ClockResolution || !b1.Deadline.Equal(vt(t, "2026-12-02 15:00")) ||
		b1.LateSeconds != 4*3600 || b1.MetAt == nil || !b1.MetAt.Equal(vt(t, "2026-12-03 10:00")) ||
		b1.PausedSeconds != 21*3600 {
		t.Errorf("ticket 1's breach %+v, want resolution due Wed 15:00, met Thu 10:00, 4 h late, 21 h paused", b1)
	}
	// Paused in all: ticket 1 21 h, ticket 2 32 h, ticket 3 none, ticket 4 none.
	if s.PausedSeconds != 53*3600 {
		t.Errorf("paused %v, want 53h", time.Duration(s.PausedSeconds)*time.Second)
	}
	if s.RegieSeconds != 5401 || s.RegieMinutes != 91 || s.RegieAmountCts != 18000 {
		t.Errorf("regie %d s = %d min, %d ct; want 5401 s = 91 min, 18000 ct", s.RegieSeconds, s.RegieMinutes, s.RegieAmountCts)
	}
	if r.Total.Tickets != 4 || pct(r.Total.FirstResponse) != 75 || len(r.Total.Breaches) != 2 || r.Total.RegieAmountCts != 18000 {
		t.Errorf("total %+v", r.Total)
	}
}

// One contract's report keeps that contract only, and shows it even when it is empty;
// percentages cut, never round up to 100.
func TestReportOfOneContract(t *testing.T) {
	terms := sla1(t)
	asOf := vt(t, "2026-12-01 08:00")
	var in Input
	in.Month, in.AsOf, in.ContractID = "2026-11", asOf, "c-9"
	in.Contracts = []Contract{{ID: "c-9", Customer: "Neu KG", Plan: "sla1"}}
	in.Tickets = []Ticket{evaluated(t, terms, ticket(t, "1", "2026-11-02 09:00", sla.High), asOf)}
	r := Build(in)
	if len(r.Contracts) != 1 || r.Contracts[0].Tickets != 0 || r.Total.Tickets != 0 {
		t.Fatalf("report %+v, want c-9 alone and empty", r)
	}
	if r.Total.FirstResponse.Percent != nil {
		t.Errorf("no decided clock, yet percent %v", *r.Total.FirstResponse.Percent)
	}

	var a Achievement
	a.Met, a.Breached = 2000, 1
	a.finish()
	if pct(a) != 99.9 {
		t.Errorf("2000 of 2001 = %v %%, want 99.9", pct(a))
	}
}

func TestMonths(t *testing.T) {
	ms, err := Months("2026-02", 3)
	if err != nil || len(ms) != 3 || ms[0] != "2025-12" || ms[2] != "2026-02" {
		t.Errorf("Months = %v, %v", ms, err)
	}
	for _, bad := range []string{"2026-13", "2026-1", "26-01", "", "2026-01x"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
}

func TestCSV(t *testing.T) {
	terms := sla1(t)
	asOf := vt(t, "2026-12-04 12:00")
	in := Input{Month: "2026-11", AsOf: asOf,
		Contracts: []Contract{{ID: "c-1", Customer: "Beispiel, GmbH", Plan: "sla1", QuotaPerMonth: 5}},
		Regie:     map[string]Regie{"c-1": {BilledSeconds: 5400, AmountCents: 12345}},
		Tickets: []Ticket{evaluated(t, terms, ticket(t, "2", "2026-11-27 16:00", sla.Low,
			[2]string{"2026-11-30 16:00", "pending"}), asOf)}}
	var b strings.Builder
	if err := WriteCSV(&b, Build(in)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll() // one table: every row has every column
	if err != nil || len(recs) != 1+5+5+1+1 {
		t.Fatalf("CSV has %d rows (%v), want header, contract and total with 4 priorities each, 1 breach, definition", len(recs), err)
	}
	for _, want := range []string{
		"row,month,contract_id,customer,plan,priority,tickets,first_response_met,",
		"contract,2026-11,c-1,\"Beispiel, GmbH\",sla1,,1,0,1,0,0.0,0,0,1,,0,5,1,0,32.00,90,123.45,,,,,,,,\n",
		"priority,2026-11,c-1,\"Beispiel, GmbH\",sla1,low,1,0,1,0,0.0,0,0,1,,,,,,,,,,,,,,,,\n",
		"total,2026-11,,,,,1,",
		"breach,2026-11,c-1,\"Beispiel, GmbH\",,low,,,,,,,,,,,,,,32.00,,,zammad:2,1002,Ticket 2,first_response,2026-11-30 15:00,,1.00,\n",
		"definition,2026-11,,,,,,,,,,,,,,,,,,,,,,,,,,,,\"Achievement = clocks met on time",
		"As of 2026-12-04 12:00 (Europe/Vienna).\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q:\n%s", want, out)
		}
	}
}
