package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/tasks"
)

// TestAContractVersionIsReevaluatedOnceEvenWithSeveralWorkers: three workers on one
// Redis, the creation of a contract announced by the web process and again by each
// worker (as a worker starting at that moment sweeps the contracts). The contract's
// open tickets are re-evaluated once in all, and every write-back reaches Zammad once.
func TestAContractVersionIsReevaluatedOnceEvenWithSeveralWorkers(t *testing.T) {
	const n = 40
	s := startService(t, serviceOptions{workers: 2})
	for i := 0; i < n; i++ {
		lateTicket(s, 7000+i)
	}
	s.waitFor(30*time.Second, "every ticket marked without contract", func() bool {
		for i := 0; i < n; i++ {
			if !hasTag(s.Zammad.Tags(7000+i), "sla-no-contract") {
				return false
			}
		}
		return true
	})
	workers := []*app{s.app}
	workers = append(workers, s.workers...)
	reevaluated := func() int {
		sum := 0.0
		for _, w := range workers {
			sum += testutil.ToFloat64(w.parts.metrics.Reevaluated.WithLabelValues("contract"))
		}
		return int(sum)
	}
	before := len(s.Zammad.Requests())

	var created map[string]any
	if code := s.api(http.MethodPost, "/api/v1/contracts", lateContract("1h", 80), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	id := created["id"].(string)
	for _, w := range workers {
		if err := w.parts.worker.EnqueueReevaluation(t.Context(), contracts.Announcement{ContractID: id, Version: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.parts.worker.SweepContracts(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	insp := asynq.NewInspectorFromRedisClient(s.app.rdb)
	s.waitFor(30*time.Second, "the contract in force on every ticket, written back, all tasks done", func() bool {
		for i := 0; i < n; i++ {
			if hasTag(s.Zammad.Tags(7000+i), "sla-no-contract") || replies(s.Zammad, 7000+i) == 0 {
				return false
			}
		}
		return queuesIdle(insp)
	})
	if got := reevaluated(); got != n {
		t.Errorf("%d tickets re-evaluated for the contract's creation over 3 workers, want %d (each once)", got, n)
	}
	seen := map[string]int{}
	for _, r := range s.Zammad.Requests()[before:] {
		if r.Method == http.MethodGet {
			continue
		}
		seen[r.Method+" "+r.Path+" "+string(r.Raw)]++
	}
	for w, times := range seen {
		if times > 1 {
			t.Errorf("written %d times: %.300s", times, w)
		}
	}
	for i := 0; i < n; i++ {
		if got := replies(s.Zammad, 7000+i); got != 1 {
			t.Errorf("ticket %d: %d confirmations, want 1", 7000+i, got)
		}
	}
}

// queuesIdle: no task of the service waits, runs or waits for a retry (timers excepted:
// they wait for their instants).
func queuesIdle(insp *asynq.Inspector) bool {
	for _, q := range []string{tasks.QueueEvents, tasks.QueueWrites} {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			if strings.Contains(err.Error(), "not found") {
				continue
			}
			return false
		}
		if info.Pending+info.Active+info.Retry+info.Scheduled > 0 {
			return false
		}
	}
	return true
}
