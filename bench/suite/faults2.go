package main

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// withoutNotes drops the internal notes (every mark may carry one) from a write list.
func withoutNotes(ws []string) []string {
	return slices.DeleteFunc(slices.Clone(ws), func(w string) bool { return w == "note" })
}

// runOutage: the fake Zammad answers 503 (Retry-After 3) and then 429 (Retry-After 2) for
// OUTAGE_SECONDS while 20 tickets run through their whole life on second-long targets;
// after it recovers, every write-back arrives, in order per ticket, none twice.
func runOutage(work string) []row {
	outage := time.Duration(envInt("OUTAGE_SECONDS", 20)) * time.Second
	const n = 20
	fig := fmt.Sprintf("fault: helpdesk answers 503/429 for %s, then recovers", outage)
	goal := "every write-back arrives, in order per ticket, none twice"
	cmd := "bench/run.sh outage"
	fail := func(err error) []row { return []row{{fig, goal, err.Error(), "FAIL", cmd}} }
	s, err := open(work, "outage", stackOptions{})
	if err != nil {
		return fail(err)
	}
	if err := s.contract(contract("4s", "8s", true, 50)); err != nil {
		return fail(err)
	}
	s.fault(&zammadfake.Fault{Times: -1, Status: http.StatusServiceUnavailable, RetryAfter: "3"})
	ts := make([]zammadfake.Ticket, n)
	for i := range ts {
		ts[i] = newTicket(600000+i, "email", "Shop nicht erreichbar", time.Now())
	}
	if err := s.addTickets(ts); err != nil {
		return fail(err)
	}
	for _, t := range ts {
		if code := s.deliver(created(t, "Der Shop ist offline."), zammadfake.NewDeliveryID()); code != http.StatusAccepted {
			return fail(fmt.Errorf("delivery: %d", code))
		}
	}
	time.Sleep(outage / 2)
	s.fault(nil)
	s.fault(&zammadfake.Fault{Times: -1, Status: http.StatusTooManyRequests, RetryAfter: "2"})
	time.Sleep(outage / 2)
	s.fault(nil)
	_ = s.fetch()
	refused := 0
	for _, r := range s.requests {
		if r.Status == http.StatusServiceUnavailable || r.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	recovered := time.Now()
	want := []string{"priority:3 high", "reply", "tag:sla-at-risk-first-response", "tag:sla-breached-first-response",
		"tag:sla-at-risk-resolution", "tag:sla-breached-resolution"}
	var got map[string][]string
	eventually(150*time.Second, func() bool {
		_ = s.fetch()
		got = s.writes()
		for _, t := range ts {
			if !slices.Contains(got[strconv.Itoa(t.ID)], "tag:sla-breached-resolution") {
				return false
			}
		}
		return true
	})
	drained := time.Since(recovered)
	time.Sleep(3 * time.Second)
	_ = s.fetch()
	got = s.writes()
	bad, example := 0, ""
	for _, t := range ts {
		if seq := withoutNotes(got[strconv.Itoa(t.ID)]); !slices.Equal(seq, want) {
			bad++
			example = fmt.Sprintf("; e.g. ticket %d got %v", t.ID, seq)
		}
	}
	return []row{{fig, goal, fmt.Sprintf("tickets=%d refused requests=%d, all written %s after recovery, out of order/missing/twice=%d (want %s each)%s",
		n, refused, drained.Round(time.Second), bad, strings.Join(want, " → "), example), verdict(bad == 0 && refused > 0), cmd}}
}

// runDup delivers the same tickets (a creation and an agent's reply each) once, in
// order, and then — as new tickets of identical content — each delivery three times (the
// same delivery id twice, then under a new id), all shuffled and at once. The writes
// per ticket must be the same.
func runDup(work string) []row {
	const n = 60
	fig := "fault: every delivery ×3 (same and new id), shuffled"
	goal := "same write-backs as clean delivery"
	cmd := "bench/run.sh dup"
	fail := func(err error) []row { return []row{{fig, goal, err.Error(), "FAIL", cmd}} }
	s, err := open(work, "dup", stackOptions{env: []string{"SLAGUARD_CONCURRENCY=50"}})
	if err != nil {
		return fail(err)
	}
	if err := s.contract(contract("1h", "2h", true, 80)); err != nil {
		return fail(err)
	}
	batch := func(base int) []zammadfake.Ticket {
		now := time.Now().Add(-time.Minute)
		ts := make([]zammadfake.Ticket, n)
		for i := range ts {
			if i%2 == 0 {
				ts[i] = newTicket(base+i, "web", "Frage zum Shop", now)
			} else {
				ts[i] = newTicket(base+i, "email", "Shop nicht erreichbar", now)
			}
		}
		return ts
	}
	body := func(t zammadfake.Ticket) string {
		if t.CreateArticleType == "web" {
			return "Eine Frage zum Shop."
		}
		return "Der Shop ist offline."
	}
	clean, dup := batch(700000), batch(800000)
	if err := s.addTickets(append(slices.Clone(clean), dup...)); err != nil {
		return fail(err)
	}
	parallel(n, 8, func(i int) {
		s.deliver(created(clean[i], body(clean[i])), zammadfake.NewDeliveryID())
		time.Sleep(300 * time.Millisecond)
		s.deliver(replied(clean[i]), zammadfake.NewDeliveryID())
	})
	type del struct {
		p  zammadfake.Payload
		id string
	}
	var all []del
	for _, t := range dup {
		for _, p := range []zammadfake.Payload{created(t, body(t)), replied(t)} {
			id := zammadfake.NewDeliveryID()
			all = append(all, del{p, id}, del{p, id}, del{p, zammadfake.NewDeliveryID()})
		}
	}
	shuffle(all)
	var wg sync.WaitGroup
	for _, d := range all {
		wg.Add(1)
		go func() { defer wg.Done(); s.deliver(d.p, d.id) }()
	}
	wg.Wait()
	// Quiet: no new request at the fake for 3 s (at most 60 s).
	last := -1
	stable := time.Now()
	eventually(60*time.Second, func() bool {
		_ = s.fetch()
		if len(s.requests) != last {
			last, stable = len(s.requests), time.Now()
		}
		return time.Since(stable) > 3*time.Second
	})
	got := s.writes()
	differ, writes, example := 0, 0, ""
	for i := 0; i < n; i++ {
		a, b := got[strconv.Itoa(clean[i].ID)], got[strconv.Itoa(dup[i].ID)]
		writes += len(a)
		sa, sb := slices.Clone(a), slices.Clone(b)
		slices.Sort(sa)
		slices.Sort(sb)
		if !slices.Equal(sa, sb) {
			differ++
			example = fmt.Sprintf("; e.g. clean %v vs dup %v", a, b)
		}
	}
	return []row{{fig, goal, fmt.Sprintf("tickets=%d deliveries clean=%d dup=%d, marks clean=%d, tickets differing=%d%s",
		n, 2*n, len(all), writes, differ, example), verdict(differ == 0 && writes > 0), cmd}}
}
