package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// runE2E offers new web tickets at a steady rate; each gets sla1's real-time confirmation
// (one POST /api/v1/ticket_articles), and the fake echoes a webhook after each write, as
// Zammad's trigger does. Latency is delivery → the first write-back's arrival at the fake.
//
// E2E_RATES lists the rates (new tickets/s, default "255,100"); the first is held to the
// goal, the others are for reference. Events/s counts what arrived at slaguard's door in
// the offering window (rate × E2E_SECONDS new tickets, plus the echoes posted back by the
// window's end), divided by that window: the write-backs still in flight at its end, and
// the latency tail, are not part of the rate. Each new ticket makes two events, so the
// goal's 500 events/s needs a little over 250 tickets/s.
func runE2E(work string) []row {
	s, err := open(work, "e2e", stackOptions{echo: true, env: []string{"SLAGUARD_CONCURRENCY=50"}})
	if err == nil {
		err = s.contract(contract("1h", "2h", true, 80))
	}
	var rows []row
	for k, f := range strings.Split(envStr("E2E_RATES", "255,100"), ",") {
		rate, _ := strconv.Atoi(strings.TrimSpace(f))
		if rate <= 0 {
			continue
		}
		r := e2eAt(s, err, rate, 100000*(k+1))
		if k > 0 {
			r.goal, r.result = "— (reference)", "—"
		}
		rows = append(rows, r)
	}
	return append(rows, marksApart(s, err, 900000))
}

// marksApart delivers MARKS_TICKETS e-mail tickets at 20/s: each gets two marks, the
// correction to low (e-mail tickets start low: PUT /tickets/{id}) and the real-time
// confirmation (POST /ticket_articles). It measures, per ticket, how far apart the two
// arrive at the fake: one write-back task sends a ticket's pending marks back to back.
func marksApart(s *stack, err error, base int) row {
	n := envInt("MARKS_TICKETS", 200)
	fig := fmt.Sprintf("consecutive marks of one ticket (correction → confirmation), %d e-mail tickets at 20/s", n)
	goal := "≤ 200 ms apart (p99)"
	cmd := "bench/run.sh e2e"
	if err != nil {
		return row{fig, goal, err.Error(), "FAIL", cmd}
	}
	begin := time.Now()
	ts := make([]zammadfake.Ticket, n)
	for i := range ts {
		ts[i] = newTicket(base+i, "email", "Frage "+strconv.Itoa(i), begin.Add(time.Duration(i)*50*time.Millisecond))
	}
	if err := s.addTickets(ts); err != nil {
		return row{fig, goal, err.Error(), "FAIL", cmd}
	}
	bad := 0
	for i := range ts {
		time.Sleep(time.Until(ts[i].CreatedAt))
		if s.deliver(created(ts[i], "Eine Frage zum Shop."), zammadfake.NewDeliveryID()) != http.StatusAccepted {
			bad++
		}
	}
	var gaps []time.Duration
	eventually(60*time.Second, func() bool {
		_ = s.fetch()
		prio, reply := map[string]time.Time{}, map[string]time.Time{}
		for _, r := range s.requests {
			id := r.ticketID()
			if k, _ := strconv.Atoi(id); !r.ok() || k < base || k >= base+n {
				continue
			}
			for _, kind := range r.kinds() {
				switch {
				case strings.HasPrefix(kind, "priority:"):
					if _, ok := prio[id]; !ok {
						prio[id] = r.at()
					}
				case kind == "reply":
					if _, ok := reply[id]; !ok {
						reply[id] = r.at()
					}
				}
			}
		}
		gaps = gaps[:0]
		for id, p := range prio {
			if r, ok := reply[id]; ok {
				d := r.Sub(p)
				if d < 0 {
					d = -d
				}
				gaps = append(gaps, d)
			}
		}
		return len(gaps) >= n
	})
	p50, p99, mx := quantiles(gaps)
	ok := bad == 0 && len(gaps) == n && p99 <= 200*time.Millisecond
	return row{fig, goal, fmt.Sprintf("%d/%d tickets with both marks; apart p50 %s, p99 %s, max %s; refused %d",
		len(gaps), n, ms(p50), ms(p99), ms(mx), bad), verdict(ok), cmd}
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func e2eAt(s *stack, err error, rate, base int) row {
	secs := envInt("E2E_SECONDS", 10)
	fig := fmt.Sprintf("end-to-end: delivery → write-back, %d new tickets/s + their echo webhooks", rate)
	goal := "≥ 500 events/s, p99 ≤ 100 ms"
	cmd := fmt.Sprintf("E2E_RATES=%d bench/run.sh e2e", rate)
	if err != nil {
		return row{fig, goal, err.Error(), "FAIL", cmd}
	}
	echoes0 := s.fakeStats()["webhooks"]
	n := rate * secs
	begin := time.Now().Add(time.Second)
	slot := func(i int) time.Time { return begin.Add(time.Duration(i) * time.Second / time.Duration(rate)) }
	ts := make([]zammadfake.Ticket, n)
	for i := range ts {
		// Created low, as the correction rules would have it ("Frage": a question), so each
		// ticket gets one write-back (the confirmation) and one echo: 2 events per ticket.
		ts[i] = newTicket(base+i, "web", "Frage "+strconv.Itoa(i), slot(i))
		ts[i].Priority = "1 low"
	}
	if err := s.addTickets(ts); err != nil {
		return row{fig, goal, err.Error(), "FAIL", cmd}
	}
	sent := make([]time.Time, n)
	bad := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		time.Sleep(time.Until(slot(i)))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := created(ts[i], "Eine Frage zum Shop.")
			sent[i] = time.Now()
			if code := s.deliver(p, zammadfake.NewDeliveryID()); code != http.StatusAccepted {
				mu.Lock()
				bad++
				mu.Unlock()
			}
		}(i)
	}
	// The offering window is n slots of 1/rate: the events that arrived at the door in it
	// are the n new tickets and the echoes the fake had posted back by its end.
	window := time.Duration(n) * time.Second / time.Duration(rate)
	time.Sleep(time.Until(begin.Add(window)))
	echoesIn := s.fakeStats()["webhooks"] - echoes0
	wg.Wait()
	offered := float64(n) / window.Seconds()
	first := map[string]time.Time{}
	eventually(60*time.Second, func() bool {
		_ = s.fetch()
		for _, r := range s.requests {
			if id := r.ticketID(); r.ok() && id != "" { // the first write-back of any kind
				if k, _ := strconv.Atoi(id); k < base || k >= base+n {
					continue
				}
				if _, ok := first[id]; !ok {
					first[id] = r.at()
				}
			}
		}
		return len(first) >= n
	})
	var lat []time.Duration
	var slow []int // which tickets took over 100 ms, by their place in the run
	for i := 0; i < n; i++ {
		if at, ok := first[strconv.Itoa(base+i)]; ok {
			lat = append(lat, at.Sub(sent[i]))
			if at.Sub(sent[i]) > 100*time.Millisecond {
				slow = append(slow, i)
			}
		}
	}
	if len(slow) > 0 {
		logf("%d/s: %d tickets over 100 ms, the first at %s into the run, the last at %s", rate, len(slow),
			slot(slow[0]).Sub(begin).Round(time.Millisecond), slot(slow[len(slow)-1]).Sub(begin).Round(time.Millisecond))
	}
	time.Sleep(500 * time.Millisecond)
	echoes := s.fakeStats()["webhooks"] - echoes0
	evps := float64(int64(n)+echoesIn) / window.Seconds()
	p50, p99, mx := quantiles(lat)
	ok := bad == 0 && len(lat) == n && evps >= 500 && p99 <= 100*time.Millisecond
	return row{fig, goal, fmt.Sprintf("%.0f events/s arrived in the %s offering window (%d new tickets at %.0f/s + %d of their %d echoes); "+
		"delivery → first write-back p50 %s, p99 %s, max %s; written %d/%d, refused %d",
		evps, window.Round(time.Millisecond), n, offered, echoesIn, echoes, ms(p50), ms(p99), ms(mx), len(lat), n, bad), verdict(ok), cmd}
}
