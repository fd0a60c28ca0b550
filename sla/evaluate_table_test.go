package sla

import (
	"slices"
	"testing"
)

// want pins the parts of a status a case cares about. Empty strings are not checked,
// except marks (always checked) and next ("none" for no next check).
type want struct {
	prio             Priority
	src              PrioritySource
	fr, res          ClockState
	frDue, resDue    string
	next             string
	marks            []string
	changeReq, quota bool
}

func TestEvaluateSequences(t *testing.T) {
	sla1 := planTerms(t, "sla1")
	basic := planTerms(t, "basic")
	no247 := planTerms(t, "sla1")
	no247.Critical247 = false
	half := planTerms(t, "sla1")
	half.AtRiskPercent = 50

	const created = "2026-11-23 09:00" // Monday
	cases := []struct {
		name  string
		terms *Terms
		k     *tk
		now   string
		want  want
	}{
		{"new web ticket runs both clocks and is confirmed", sla1, newTicket(t, created, Medium), "2026-11-23 09:05",
			want{prio: Medium, src: SourceCustomer, fr: ClockRunning, res: ClockRunning, frDue: "2026-11-23 17:00", resDue: "2026-11-30 12:00",
				next: "2026-11-23 15:24", marks: []string{MarkConfirmation}}},
		{"public agent reply meets first response", sla1, newTicket(t, created, Medium).reply("2026-11-23 10:00"), "2026-11-23 10:01",
			want{fr: ClockMet, res: ClockRunning, next: "2026-11-27 11:24", marks: []string{MarkConfirmation}}},
		{"internal note is not a first response", sla1, newTicket(t, created, Medium).note("2026-11-23 10:00"), "2026-11-23 10:01",
			want{fr: ClockRunning, next: "2026-11-23 15:24", marks: []string{MarkConfirmation}}},
		{"our confirmation coming back is not a first response", sla1,
			newTicket(t, created, Medium).article("2026-11-23 09:01", Message{FromAgent: true, Public: true, BySelf: true, Channel: ChannelEmail}),
			"2026-11-23 09:02", want{fr: ClockRunning, marks: []string{MarkConfirmation}}},
		{"system message is not a first response", sla1,
			newTicket(t, created, Medium).article("2026-11-23 09:01", Message{Public: true, Channel: ChannelEmail}),
			"2026-11-23 09:02", want{fr: ClockRunning, marks: []string{MarkConfirmation}}},
		{"first response at risk at 80 percent", sla1, newTicket(t, created, Medium), "2026-11-23 16:00",
			want{fr: ClockAtRisk, next: "2026-11-23 17:00", marks: []string{MarkConfirmation, MarkAtRiskFirstResponse}}},
		{"first response breached when its deadline passes", sla1, newTicket(t, created, Medium), "2026-11-23 17:00",
			want{fr: ClockBreached, res: ClockRunning, next: "2026-11-27 11:24",
				marks: []string{MarkConfirmation, MarkAtRiskFirstResponse, MarkBreachedFirstResponse}}},
		{"late reply keeps the breach", sla1, newTicket(t, created, Medium).reply("2026-11-24 10:00"), "2026-11-24 11:00",
			want{fr: ClockBreached, marks: []string{MarkConfirmation, MarkAtRiskFirstResponse, MarkBreachedFirstResponse}}},
		{"reply after the at-risk point keeps the at-risk mark", sla1, newTicket(t, created, Medium).reply("2026-11-23 16:00"), "2026-11-23 16:30",
			want{fr: ClockMet, marks: []string{MarkConfirmation, MarkAtRiskFirstResponse}}},
		{"closing meets resolution", sla1, newTicket(t, created, Medium).reply("2026-11-23 10:00").state("2026-11-25 10:00", "closed"), "2026-11-25 12:00",
			want{fr: ClockMet, res: ClockMet, next: "none", marks: []string{MarkConfirmation}}},
		{"closing without a reply ends the first response too", sla1, newTicket(t, created, Medium).state("2026-11-23 12:00", "closed"), "2026-11-24 12:00",
			want{fr: ClockMet, res: ClockMet, next: "none", marks: []string{MarkConfirmation}}},
		{"reopened ticket resumes resolution without the closed time", sla1,
			newTicket(t, created, Medium).reply("2026-11-23 10:00").state("2026-11-24 09:00", "closed").state("2026-11-26 09:00", "open"),
			"2026-11-26 10:00", want{res: ClockRunning, resDue: "2026-12-02 12:00", marks: []string{MarkConfirmation}}},
		{"pause across a weekend moves the deadline by its business time", sla1,
			newTicket(t, created, Medium).reply("2026-11-23 10:00").state("2026-11-27 12:00", "pending").state("2026-11-30 10:00", "open"),
			"2026-11-30 10:00", want{res: ClockAtRisk, resDue: "2026-12-01 10:00", next: "2026-12-01 10:00", marks: []string{MarkConfirmation, MarkAtRiskResolution}}},
		{"waiting ticket stands still and needs no check", sla1,
			newTicket(t, created, Medium).reply("2026-11-23 10:00").state("2026-11-24 10:00", "pending"),
			"2026-11-25 10:00", want{res: ClockPaused, resDue: "2026-12-01 12:00", next: "none", marks: []string{MarkConfirmation}}},
		{"pending stops the first response too", sla1,
			newTicket(t, created, Medium).state("2026-11-23 10:00", "pending").state("2026-11-24 10:00", "open"),
			"2026-11-24 10:00", want{fr: ClockRunning, frDue: "2026-11-24 17:00", res: ClockRunning, marks: []string{MarkConfirmation}}},
		{"priority raised by an agent shortens the deadline from creation", sla1,
			newTicket(t, created, Medium).prio("2026-11-23 11:00", High), "2026-11-23 11:00",
			want{prio: High, src: SourceAgent, resDue: "2026-11-24 12:00", marks: []string{MarkConfirmation}}},
		{"priority lowered by an agent lengthens it", sla1,
			newTicket(t, created, High).prio("2026-11-23 11:00", Low), "2026-11-23 11:00",
			want{prio: Low, src: SourceAgent, resDue: "2026-12-03 09:00", marks: []string{MarkConfirmation}}},
		{"priority up and down again ends where it started", sla1,
			newTicket(t, created, Medium).prio("2026-11-23 11:00", High).prio("2026-11-23 12:00", Medium), "2026-11-23 12:00",
			want{prio: Medium, src: SourceAgent, resDue: "2026-11-30 12:00", marks: []string{MarkConfirmation}}},
		{"raising the priority can breach at once", sla1,
			newTicket(t, created, Low).reply("2026-11-23 10:00").prio("2026-11-24 14:00", High), "2026-11-24 14:00",
			want{prio: High, res: ClockBreached, next: "none", marks: []string{MarkConfirmation, MarkAtRiskResolution, MarkBreachedResolution}}},
		{"shop down in business hours is corrected to high", sla1,
			newTicket(t, created, Low).title("Shop nicht erreichbar").says(siteDown), "2026-11-23 09:01",
			want{prio: High, src: SourceCorrection, resDue: "2026-11-24 12:00", marks: []string{MarkCorrection, MarkConfirmation}}},
		{"correction then a manual change: the agent wins and the correction stays written", sla1,
			newTicket(t, created, Low).title("Shop nicht erreichbar").says(siteDown).selfPrio("2026-11-23 09:02", High).prio("2026-11-23 09:30", Medium),
			"2026-11-23 09:31", want{prio: Medium, src: SourceAgent, resDue: "2026-11-30 12:00", marks: []string{MarkCorrection, MarkConfirmation}}},
		{"a person's change before the correction was written cancels it", sla1,
			newTicket(t, created, Low).title("Shop nicht erreichbar").says(siteDown).prio("2026-11-23 09:01", Medium), "2026-11-23 09:02",
			want{prio: Medium, src: SourceAgent, marks: []string{MarkConfirmation}}},
		{"our own write coming back changes no clock", sla1,
			newTicket(t, created, Low).title("Shop nicht erreichbar").says(siteDown).add("2026-11-23 09:02", func(s *Snapshot) {
				s.BySelf, s.Priority, s.Paused, s.State = true, High, true, "pending"
			}), "2026-11-23 10:00",
			want{prio: High, src: SourceCorrection, fr: ClockRunning, res: ClockRunning, resDue: "2026-11-24 12:00", marks: []string{MarkCorrection, MarkConfirmation}}},
		{"e-mail tickets start at low", sla1, newTicket(t, created, Medium).channel(ChannelEmail), "2026-11-23 09:01",
			want{prio: Low, src: SourceCorrection, resDue: "2026-12-03 09:00", marks: []string{MarkCorrection, MarkConfirmation}}},
		{"an e-mail ticket already at low needs no correction", sla1, newTicket(t, created, Low).channel(ChannelEmail), "2026-11-23 09:01",
			want{prio: Low, src: SourceCustomer, marks: []string{MarkConfirmation}}},
		{"e-mail about a broken cart is raised to high", sla1,
			newTicket(t, created, Medium).channel(ChannelEmail).body("Der Warenkorb geht nicht mehr").says(cartBroken), "2026-11-23 09:01",
			want{prio: High, src: SourceCorrection, marks: []string{MarkCorrection, MarkConfirmation}}},
		{"outage outside business hours on 24/7 is critical", sla1,
			newTicket(t, "2026-11-28 10:00", Medium).title("Website down").says(siteDown), "2026-11-28 10:01",
			want{prio: Critical, src: SourceCorrection, frDue: "2026-11-28 18:00", resDue: "2026-11-28 22:00", next: "2026-11-28 16:24",
				marks: []string{MarkCorrection, MarkCritical, MarkConfirmation}}},
		{"outage outside hours without 24/7 is high", no247,
			newTicket(t, "2026-11-28 10:00", Medium).title("Website down").says(siteDown), "2026-11-28 10:01",
			want{prio: High, frDue: "2026-11-30 16:00", resDue: "2026-12-01 11:00", marks: []string{MarkCorrection, MarkConfirmation}}},
		{"basic plan critical outage: 48 h answer on the 24/7 clock and no resolution", basic,
			newTicket(t, "2026-11-28 10:00", Medium).title("Shop offline").says(siteDown), "2026-11-28 10:01",
			want{prio: Critical, fr: ClockRunning, frDue: "2026-11-30 10:00", res: ClockNone, marks: []string{MarkCorrection, MarkCritical}}},
		{"basic plan has no resolution clock", basic, newTicket(t, created, Medium), "2026-11-23 10:00",
			want{fr: ClockRunning, frDue: "2026-11-30 12:00", res: ClockNone, next: "2026-11-27 11:24", marks: []string{}}},
		{"no contract: no clocks, one mark", nil, newTicket(t, created, High).title("Shop nicht erreichbar").says(siteDown), "2026-11-25 10:00",
			want{prio: High, fr: ClockNone, res: ClockNone, next: "none", marks: []string{MarkNoContract}}},
		{"change request: no resolution clock and no quota", sla1,
			newTicket(t, created, Medium).title("Angebot für eine neue Funktion").says(changeReq).quota(7), "2026-11-23 09:01",
			want{changeReq: true, fr: ClockRunning, res: ClockNone, marks: []string{MarkChangeRequest, MarkConfirmation}}},
		{"the sixth ticket of the month is over quota", sla1, newTicket(t, created, Medium).quota(6), "2026-11-23 09:01",
			want{quota: true, marks: []string{MarkOverQuota, MarkConfirmation}}},
		{"the fifth ticket is included", sla1, newTicket(t, created, Medium).quota(5), "2026-11-23 09:01",
			want{marks: []string{MarkConfirmation}}},
		{"at-risk threshold override", half, newTicket(t, created, Medium), "2026-11-23 13:00",
			want{fr: ClockAtRisk, next: "2026-11-23 17:00", marks: []string{MarkConfirmation, MarkAtRiskFirstResponse}}},
		{"ticket created on a Saturday starts counting on Monday", sla1, newTicket(t, "2026-11-28 10:00", Medium), "2026-11-28 10:01",
			want{frDue: "2026-11-30 16:00", next: "2026-11-30 14:24", marks: []string{MarkConfirmation}}},
		{"a customer's critical stays critical on 24/7", sla1, newTicket(t, created, Critical), "2026-11-23 09:01",
			want{prio: Critical, src: SourceCustomer, frDue: "2026-11-23 17:00", resDue: "2026-11-23 21:00", marks: []string{MarkCritical, MarkConfirmation}}},
		{"an outage report asking for a quote stays an outage", sla1,
			newTicket(t, created, Medium).title("Shop nicht erreichbar – bitte Angebot für Wartung").says(siteDown), "2026-11-23 09:01",
			want{prio: High, changeReq: false, res: ClockRunning, marks: []string{MarkCorrection, MarkConfirmation}}},
		{"text change on high is lowered to low", sla1, newTicket(t, created, High).title("Text ändern auf Startseite").says(textChange), "2026-11-23 09:01",
			want{prio: Low, src: SourceCorrection, marks: []string{MarkCorrection, MarkConfirmation}}},
		{"wrong settings are medium", sla1, newTicket(t, created, Low).body("Da ist eine falsche Einstellung im Plugin").says(wrongSetup), "2026-11-23 09:01",
			want{prio: Medium, marks: []string{MarkCorrection, MarkConfirmation}}},
		{"no verdict keeps the customer's priority", sla1, newTicket(t, created, Medium).body("Wir haben 1500 Produkte"), "2026-11-23 09:01",
			want{prio: Medium, src: SourceCustomer, marks: []string{MarkConfirmation}}},
		{"pending then closed then reopened counts neither", sla1,
			newTicket(t, created, Medium).reply("2026-11-23 10:00").state("2026-11-24 08:00", "pending").state("2026-11-25 08:00", "closed").
				state("2026-11-26 08:00", "open"), "2026-11-26 08:00",
			want{res: ClockRunning, resDue: "2026-12-02 12:00", marks: []string{MarkConfirmation}}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	rules := testRules(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(tc.terms, tc.k.ticket(), rules, vt(t, tc.now))
			w := tc.want
			if w.prio != "" && st.Priority != w.prio {
				t.Errorf("priority = %s, want %s", st.Priority, w.prio)
			}
			if w.src != "" && st.Source != w.src {
				t.Errorf("source = %s, want %s", st.Source, w.src)
			}
			if w.fr != "" && st.FirstResponse.State != w.fr {
				t.Errorf("first response = %s, want %s", st.FirstResponse.State, w.fr)
			}
			if w.res != "" && st.Resolution.State != w.res {
				t.Errorf("resolution = %s, want %s", st.Resolution.State, w.res)
			}
			if w.frDue != "" && local(st.FirstResponse.Deadline) != w.frDue {
				t.Errorf("first response due %s, want %s", local(st.FirstResponse.Deadline), w.frDue)
			}
			if w.resDue != "" && local(st.Resolution.Deadline) != w.resDue {
				t.Errorf("resolution due %s, want %s", local(st.Resolution.Deadline), w.resDue)
			}
			switch {
			case w.next == "none" && !st.NextCheck.IsZero():
				t.Errorf("next check %s, want none", local(st.NextCheck))
			case w.next != "" && w.next != "none" && local(st.NextCheck) != w.next:
				t.Errorf("next check %s, want %s", local(st.NextCheck), w.next)
			}
			if st.ChangeRequest != w.changeReq || st.OverQuota != w.quota {
				t.Errorf("change request %v over quota %v, want %v %v", st.ChangeRequest, st.OverQuota, w.changeReq, w.quota)
			}
			if got := markKeys(st); !slices.Equal(got, w.marks) {
				t.Errorf("marks = %v, want %v", got, w.marks)
			}
			checkCriticalTagOnce(t, st)
		})
	}
}
