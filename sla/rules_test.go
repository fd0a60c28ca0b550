package sla

import (
	"strings"
	"testing"
	"time"
)

// Verdicts as the classifier hands them in (package classify decides them from the text;
// here they are inputs, so these tests are about what the policy does with them).
var (
	siteDown   = &Verdict{Priority: High, Outage: true, Rule: "site-down", Words: []string{"nicht erreichbar"}}
	cartBroken = &Verdict{Priority: High, Outage: true, Rule: "shop-broken", Words: []string{"Warenkorb"}}
	changeReq  = &Verdict{ChangeRequest: true, Rule: "change-request", Words: []string{"Angebot", "neue Funktion"}}
	textChange = &Verdict{Priority: Low, Rule: "text-and-questions", Words: []string{"Text ändern"}}
	wrongSetup = &Verdict{Priority: Medium, Rule: "wrong-settings", Words: []string{"falsche Einstellung"}}
)

// testRules is sla's share of the agency's rules: the default confirmation template.
func testRules(tb testing.TB) *Rules {
	tb.Helper()
	return nil
}

func TestUndecidedVerdictKeepsThePolicysPriority(t *testing.T) {
	for _, v := range []*Verdict{nil, {}, {Rule: "x", Words: []string{"y"}}} {
		st := Evaluate(planTerms(t, "sla1"), newTicket(t, "2026-11-23 09:00", Medium).says(v).ticket(), nil, vt(t, "2026-11-23 09:01"))
		if st.Priority != Medium || st.Correction != nil || st.ChangeRequest {
			t.Errorf("verdict %+v: priority %s correction %+v change request %v", v, st.Priority, st.Correction, st.ChangeRequest)
		}
	}
}

func TestCorrectionNoteNamesTheDecidingWords(t *testing.T) {
	v := &Verdict{Priority: High, Outage: true, Rule: "shop-broken", Words: []string{"Zahlungsart", "Kasse"}}
	st := Evaluate(planTerms(t, "sla1"), newTicket(t, "2026-11-23 09:00", Low).says(v).ticket(), nil, vt(t, "2026-11-23 09:01"))
	m, ok := st.Mark(MarkCorrection)
	if !ok {
		t.Fatal("no correction")
	}
	for _, want := range []string{"shop-broken", "Zahlungsart, Kasse", "low → high"} {
		if !strings.Contains(m.Note, want) {
			t.Errorf("note lacks %q:\n%s", want, m.Note)
		}
	}
}

func TestClassifiedTextIsTitleAndFirstCustomerMessage(t *testing.T) {
	at := vt(t, "2026-11-23 09:00")
	tk := Ticket{Title: "Shop", Snapshots: []Snapshot{
		{At: at.Add(time.Minute), Article: &Message{ID: "b", Body: "second"}},
		{At: at, BySelf: true, Article: &Message{ID: "s", Body: "ours"}},
		{At: at.Add(30 * time.Second), Article: &Message{ID: "a", Subject: "Kasse kaputt", Body: "first"}},
	}}
	subject, body := tk.ClassifiedText()
	if subject != "Shop\nKasse kaputt" || body != "first" {
		t.Errorf("ClassifiedText = %q, %q", subject, body)
	}
}
