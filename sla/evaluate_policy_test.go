package sla

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The worked examples of POLICY.md ("Business hours", "The ticket's clocks"), run through
// Evaluate on an SLA1 contract.
func TestPolicyWorkedExamples(t *testing.T) {
	sla1 := planTerms(t, "sla1")
	cases := []struct {
		name    string
		k       *tk
		clock   func(Status) Clock
		wantDue string
	}{
		{"Friday 16:00 plus 8 h ends Monday 15:00", newTicket(t, "2026-11-27 16:00", Medium),
			func(s Status) Clock { return s.FirstResponse }, "2026-11-30 15:00"},
		{"Christmas Eve 10:00 plus 8 h skips Christmas and the weekend", newTicket(t, "2026-12-24 10:00", Medium),
			func(s Status) Clock { return s.FirstResponse }, "2026-12-28 09:00"},
		{"Monday 08:00 plus 72 h for low ends Wednesday week 17:00", newTicket(t, "2026-11-23 08:00", Low),
			func(s Status) Clock { return s.Resolution }, "2026-12-02 17:00"},
		{"Good Friday 12:00 plus 12 h for high skips Easter Monday", newTicket(t, "2026-04-03 12:00", High),
			func(s Status) Clock { return s.Resolution }, "2026-04-07 15:00"},
		{"48 h for medium with waiting on customer Monday 11:00 to Wednesday 14:00",
			newTicket(t, "2026-11-23 09:00", Medium).state("2026-11-23 11:00", "pending").state("2026-11-25 14:00", "open"),
			func(s Status) Clock { return s.Resolution }, "2026-12-02 15:00"},
		{"8 h from Friday 15:00 before the spring change ends Monday 14:00 local", newTicket(t, "2026-03-27 15:00", Medium),
			func(s Status) Clock { return s.FirstResponse }, "2026-03-30 14:00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := Evaluate(sla1, tc.k.ticket(), nil, tc.k.ticket().CreatedAt)
			if got := local(tc.clock(st).Deadline); got != tc.wantDue {
				t.Errorf("deadline %s, want %s", got, tc.wantDue)
			}
		})
	}
	// The spring change example also in UTC, as the policy states it.
	st := Evaluate(sla1, newTicket(t, "2026-03-27 15:00", Medium).ticket(), nil, vt(t, "2026-03-27 15:00"))
	if got := st.FirstResponse.Deadline.Format("2006-01-02 15:04Z"); got != "2026-03-30 12:00Z" {
		t.Errorf("spring change deadline %s UTC, want 2026-03-30 12:00Z", got)
	}
}

func TestPendingPausesBothClocks(t *testing.T) {
	k := newTicket(t, "2026-11-23 09:00", Medium).state("2026-11-23 10:00", "pending")
	st := Evaluate(planTerms(t, "sla1"), k.ticket(), nil, vt(t, "2026-11-26 10:00"))
	for name, c := range map[string]Clock{"first response": st.FirstResponse, "resolution": st.Resolution} {
		if c.State != ClockPaused || !c.Paused || c.Used != Duration(hour) {
			t.Errorf("%s: state %s paused %v used %s, want paused with 1h used", name, c.State, c.Paused, c.Used)
		}
	}
	if !st.NextCheck.IsZero() {
		t.Errorf("next check %s while waiting, want none", local(st.NextCheck))
	}
}

func TestSnapshotOrderAndDuplicatesDoNotMatter(t *testing.T) {
	k := newTicket(t, "2026-11-23 09:00", Low).title("Shop nicht erreichbar").says(siteDown).
		selfPrio("2026-11-23 09:01", High).
		note("2026-11-23 09:30").
		state("2026-11-23 11:00", "pending").
		state("2026-11-24 10:00", "open").
		prio("2026-11-24 11:00", Medium).
		reply("2026-11-24 12:00").
		state("2026-11-25 09:00", "closed").
		state("2026-11-25 15:00", "open")
	clean := k.ticket()
	rules := testRules(t)
	terms := planTerms(t, "sla1")
	now := vt(t, "2026-11-27 16:00")
	want := Evaluate(terms, clean, rules, now)
	if want.Priority != Medium || want.Source != SourceAgent {
		t.Fatalf("baseline priority %s from %s, want medium from agent", want.Priority, want.Source)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		shuffled := clean
		shuffled.Snapshots = slices.Clone(clean.Snapshots)
		for range rng.IntN(len(clean.Snapshots) + 1) { // redeliveries
			shuffled.Snapshots = append(shuffled.Snapshots, clean.Snapshots[rng.IntN(len(clean.Snapshots))])
		}
		rng.Shuffle(len(shuffled.Snapshots), func(a, b int) {
			shuffled.Snapshots[a], shuffled.Snapshots[b] = shuffled.Snapshots[b], shuffled.Snapshots[a]
		})
		if diff := cmp.Diff(want, Evaluate(terms, shuffled, rules, now)); diff != "" {
			t.Fatalf("permutation %d differs (-clean +shuffled):\n%s", i, diff)
		}
	}
	if !slices.Equal(clean.Snapshots, k.ticket().Snapshots) {
		t.Error("Evaluate reordered the caller's snapshots")
	}
}

// A mark, once in the list, stays there on every later evaluation of the same history:
// jobs writes each mark once and must never see it vanish and come back changed.
func TestMarksStayOnceRaised(t *testing.T) {
	k := newTicket(t, "2026-11-27 15:00", Medium).title("Shop nicht erreichbar").says(siteDown).quota(6).
		selfPrio("2026-11-27 15:01", High).state("2026-11-30 10:00", "pending").state("2026-12-01 10:00", "open")
	terms, rules := planTerms(t, "sla1"), testRules(t)
	seen := map[string]Mark{}
	for now := vt(t, "2026-11-27 15:01"); now.Before(vt(t, "2026-12-05 00:00")); now = now.Add(7 * minute) {
		st := Evaluate(terms, k.ticket(), rules, now)
		for key, m := range seen {
			got, ok := st.Mark(key)
			if !ok {
				t.Fatalf("at %s mark %q vanished", local(now), key)
			}
			if got.Tag != m.Tag || got.Priority != m.Priority {
				t.Fatalf("at %s mark %q changed: %+v → %+v", local(now), key, m, got)
			}
		}
		for _, m := range st.Marks {
			seen[m.Key] = m
		}
	}
	for _, key := range []string{MarkCorrection, MarkOverQuota, MarkConfirmation, MarkAtRiskFirstResponse,
		MarkBreachedFirstResponse, MarkAtRiskResolution, MarkBreachedResolution} {
		if _, ok := seen[key]; !ok {
			t.Errorf("mark %q never raised", key)
		}
	}
}

// Evaluating at NextCheck must find the status changed (or the check is wasted), and just
// before it unchanged.
func TestNextCheckIsWhenTheStatusChanges(t *testing.T) {
	k := newTicket(t, "2026-11-23 09:00", High)
	terms := planTerms(t, "sla1")
	now := vt(t, "2026-11-23 09:00")
	var steps []string
	for range 10 {
		st := Evaluate(terms, k.ticket(), nil, now)
		if st.NextCheck.IsZero() {
			break
		}
		before := Evaluate(terms, k.ticket(), nil, st.NextCheck.Add(-second))
		at := Evaluate(terms, k.ticket(), nil, st.NextCheck)
		if len(before.Marks) != len(st.Marks) || len(at.Marks) == len(st.Marks) {
			t.Fatalf("at %s: marks %v, a second before %v, at it %v", local(st.NextCheck), markKeys(st), markKeys(before), markKeys(at))
		}
		steps = append(steps, local(st.NextCheck))
		now = st.NextCheck
	}
	want := []string{"2026-11-23 15:24", "2026-11-23 17:00", "2026-11-24 09:36", "2026-11-24 12:00"}
	if !slices.Equal(steps, want) {
		t.Errorf("checks at %v, want %v", steps, want)
	}
}

func TestStatusJSONForTheAPI(t *testing.T) {
	st := Evaluate(planTerms(t, "sla1"), newTicket(t, "2026-11-23 09:00", Medium).ticket(), nil, vt(t, "2026-11-23 09:00"))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"target":"8h"`, `"deadline":"2026-11-23T16:00:00Z"`, `"state":"running"`, `"next_check":"2026-11-23T14:24:00Z"`, `"key":"confirmation"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), `"met_at"`) {
		t.Errorf("unmet clock has met_at: %s", b)
	}
}
