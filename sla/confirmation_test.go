package sla

import (
	"strings"
	"testing"
)

func TestConfirmationShowsNumberPriorityAndVienneseDeadlines(t *testing.T) {
	k := newTicket(t, "2026-11-27 16:00", Low).title("Warenkorb leer").says(cartBroken)
	st := Evaluate(planTerms(t, "sla1"), k.ticket(), testRules(t), vt(t, "2026-11-27 16:00"))
	m, ok := st.Mark(MarkConfirmation)
	if !ok {
		t.Fatal("no confirmation")
	}
	for _, want := range []string{"#10042", "Priorität: high", "Mo., 30.11.2026 15:00", "Di., 01.12.2026 10:00"} {
		if !strings.Contains(m.Reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, m.Reply)
		}
	}
	if strings.Contains(m.Reply, "Notfallnummer") {
		t.Errorf("high ticket in business hours names the emergency phone:\n%s", m.Reply)
	}
	if m.ReplySubject != "Ihr Ticket #10042 ist eingegangen: Warenkorb leer" {
		t.Errorf("subject %q", m.ReplySubject)
	}
}

func TestConfirmationOfCriticalOffHoursGivesTheEmergencyPhone(t *testing.T) {
	k := newTicket(t, "2026-11-28 22:30", Medium).title("Website down").says(siteDown)
	st := Evaluate(planTerms(t, "sla1"), k.ticket(), testRules(t), vt(t, "2026-11-28 22:31"))
	m, _ := st.Mark(MarkConfirmation)
	for _, want := range []string{"Priorität: critical", "+43 1 234 56 78", "So., 29.11.2026 06:30", "So., 29.11.2026 10:30"} {
		if !strings.Contains(m.Reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, m.Reply)
		}
	}
}

func TestConfirmationOfChangeRequestHasNoResolutionDeadline(t *testing.T) {
	k := newTicket(t, "2026-11-23 09:00", Medium).title("feature request: Newsletter").says(changeReq)
	st := Evaluate(planTerms(t, "sla1"), k.ticket(), testRules(t), vt(t, "2026-11-23 09:00"))
	m, _ := st.Mark(MarkConfirmation)
	if strings.Contains(m.Reply, "Lösung") || !strings.Contains(m.Reply, "Anpassungswunsch") {
		t.Errorf("change request confirmation:\n%s", m.Reply)
	}
}

func TestOwnConfirmationTemplate(t *testing.T) {
	ct, err := ParseConfirmationTemplate(`{{define "subject"}}Ticket {{.Number}}{{end}}{{define "body"}}Priority {{.Priority}}, answer by {{.FirstResponseDue}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	rules := testRules(t).WithConfirmation(ct)
	st := Evaluate(planTerms(t, "sla1"), newTicket(t, "2026-11-23 09:00", Medium).ticket(), rules, vt(t, "2026-11-23 09:00"))
	m, _ := st.Mark(MarkConfirmation)
	if m.ReplySubject != "Ticket 10042" || m.Reply != "Priority medium, answer by Mo., 23.11.2026 17:00\n" {
		t.Errorf("got %q / %q", m.ReplySubject, m.Reply)
	}
}

func TestParseConfirmationTemplateRejects(t *testing.T) {
	for name, text := range map[string]string{
		"syntax":        `{{define "subject"}}{{.Number}{{end}}`,
		"no body":       `{{define "subject"}}x{{end}}`,
		"unknown field": `{{define "subject"}}x{{end}}{{define "body"}}{{.Phone}}{{end}}`,
		"empty subject": `{{define "subject"}} {{end}}{{define "body"}}x{{end}}`,
	} {
		if _, err := ParseConfirmationTemplate(text); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNotesNameTheRuleAndTheDeadline(t *testing.T) {
	k := newTicket(t, "2026-11-23 09:00", Low).title("Shop nicht erreichbar").says(siteDown).quota(7)
	st := Evaluate(planTerms(t, "sla1"), k.ticket(), testRules(t), vt(t, "2026-11-24 13:00"))
	checks := map[string][]string{
		MarkCorrection:            {"low → high", "„site-down“", "„nicht erreichbar“"},
		MarkOverQuota:             {"Ticket Nr. 7 im November 2026", "5 pro Monat"},
		MarkBreachedResolution:    {"Di., 24.11.2026 12:00"},
		MarkBreachedFirstResponse: {"Mo., 23.11.2026 17:00"},
	}
	for key, wants := range checks {
		m, ok := st.Mark(key)
		if !ok {
			t.Errorf("no mark %q in %v", key, markKeys(st))
			continue
		}
		for _, w := range wants {
			if !strings.Contains(m.Note, w) {
				t.Errorf("%s note lacks %q:\n%s", key, w, m.Note)
			}
		}
	}
	if m, _ := st.Mark(MarkCorrection); m.Priority != High {
		t.Errorf("correction carries %q, want high", m.Priority)
	}
	if m, _ := st.Mark(MarkBreachedResolution); m.Tag != "sla-breached-resolution" {
		t.Errorf("tag %q", m.Tag)
	}
}

func TestNoContractNote(t *testing.T) {
	st := Evaluate(nil, newTicket(t, "2026-11-23 09:00", Medium).ticket(), nil, vt(t, "2026-11-23 09:00"))
	m, ok := st.Mark(MarkNoContract)
	if !ok || m.Tag != "sla-no-contract" || !strings.Contains(m.Note, "vorrangig") || !st.NoContract || CountsTowardQuota(st) {
		t.Errorf("no-contract status %+v", st)
	}
}

func TestEvaluateWithoutSnapshots(t *testing.T) {
	st := Evaluate(planTerms(t, "sla1"), Ticket{ID: "9"}, nil, vt(t, "2026-11-23 09:00"))
	if st.TicketID != "9" || len(st.Marks) != 0 || !st.NextCheck.IsZero() {
		t.Errorf("status %+v", st)
	}
}
