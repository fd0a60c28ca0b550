package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/tasks"
)

// runWorkers measures how the worker side scales with processes: a backlog of new tickets
// is queued with no worker running, then 1, 2 or 4 `slaguard worker` processes (default
// SLAGUARD_CONCURRENCY each) drain it. Each ticket is one event task and one write task
// (sla1's confirmation) to the fake Zammad; the figure is tickets drained per second from
// the workers' start until every queue is empty and every confirmation arrived.
//
// WORKERS_TICKETS (default 3000) sets the backlog, WORKERS_COUNTS ("1,2,4") the runs.
func runWorkers(work string) []row {
	n := envInt("WORKERS_TICKETS", 3000)
	var rows []row
	var base float64
	for k, f := range strings.Split(envStr("WORKERS_COUNTS", "1,2,4"), ",") {
		procs, _ := strconv.Atoi(strings.TrimSpace(f))
		if procs <= 0 {
			continue
		}
		fig := fmt.Sprintf("worker throughput, %d worker process(es), backlog of %d new tickets", procs, n)
		cmd := fmt.Sprintf("WORKERS_COUNTS=%d bench/run.sh workers", procs)
		// ids below 1e6: the fake's JSON numbers print as %g
		rate, detail, err := drain(work, procs, n, 200000+100000*k)
		if err != nil {
			rows = append(rows, row{fig, "— (scaling)", err.Error(), "FAIL", cmd})
			continue
		}
		if base == 0 {
			base = rate
		}
		rows = append(rows, row{fig, "— (scaling)", fmt.Sprintf("%.0f tickets/s (%.2fx of 1 process); %s", rate, rate/base, detail), "—", cmd})
	}
	return rows
}

func drain(work string, procs, n, baseID int) (float64, string, error) {
	name := fmt.Sprintf("workers%d", procs)
	s, err := open(work, name, stackOptions{})
	if err != nil {
		return 0, "", err
	}
	defer s.close()
	if err := s.contract(contract("1h", "2h", true, 80)); err != nil {
		return 0, "", err
	}
	// The new contract queues its re-evaluation (contract:reevaluate, events queue): let the
	// worker run it before stopping it, so that the backlog is the deliveries alone.
	insp := asynq.NewInspectorFromRedisClient(s.redis.rdb)
	settled := eventually(30*time.Second, func() bool {
		info, err := insp.GetQueueInfo(tasks.QueueEvents)
		return err == nil && info.Pending+info.Active+info.Retry+info.Scheduled == 0
	})
	if !settled {
		return 0, "", fmt.Errorf("the contract's re-evaluation did not run within 30 s")
	}
	s.worker.stop() // queue the backlog with nobody draining it
	now := time.Now()
	ts := make([]zammadfake.Ticket, n)
	for i := range ts {
		ts[i] = newTicket(baseID+i, "web", "Frage "+strconv.Itoa(i), now)
	}
	if err := s.addTickets(ts); err != nil {
		return 0, "", err
	}
	var refused atomic.Int64
	parallel(n, 32, func(i int) {
		if code := s.deliver(created(ts[i], "Eine Frage zum Shop."), zammadfake.NewDeliveryID()); code != http.StatusAccepted {
			refused.Add(1)
		}
	})
	if refused := refused.Load(); refused > 0 {
		return 0, "", fmt.Errorf("%d deliveries refused", refused)
	}
	if info, err := insp.GetQueueInfo(tasks.QueueEvents); err != nil || info.Pending != n {
		return 0, "", fmt.Errorf("backlog not queued: %+v %v", info, err)
	}
	var workers []*proc
	defer func() {
		for _, w := range workers {
			w.stop()
		}
	}()
	redisCPU0, fakeCPU0 := cpuSeconds(s.redis.cmd.Process.Pid), cpuSeconds(s.fake.cmd.Process.Pid)
	start := time.Now()
	for i := 0; i < procs; i++ {
		w := s.slaguard("worker", freePort())
		w.name, w.log = fmt.Sprintf("%s-worker%d", name, i), filepath.Join(work, fmt.Sprintf("%s-worker%d.log", name, i))
		if err := w.start(); err != nil {
			return 0, "", err
		}
		workers = append(workers, w)
	}
	empty := func() bool {
		for q := range tasks.Queues {
			info, err := insp.GetQueueInfo(q)
			if err != nil {
				continue // a queue nobody used yet
			}
			if info.Pending+info.Active+info.Retry+info.Scheduled > 0 && q != tasks.QueueTimers {
				return false
			}
		}
		return true
	}
	confirmed := func() int {
		_ = s.fetch()
		seen := map[string]bool{}
		for _, r := range s.requests {
			if r.ok() && r.Path == "/api/v1/ticket_articles" {
				if id, _ := strconv.Atoi(r.ticketID()); id >= baseID && id < baseID+n {
					seen[r.ticketID()] = true
				}
			}
		}
		return len(seen)
	}
	if !eventually(5*time.Minute, func() bool { return empty() && confirmed() == n }) {
		return 0, "", fmt.Errorf("not drained in 5 min: %d/%d confirmed", confirmed(), n)
	}
	took := time.Since(start)
	var workerCPU float64
	for _, w := range workers {
		workerCPU += cpuSeconds(w.cmd.Process.Pid)
	}
	redisCPU := cpuSeconds(s.redis.cmd.Process.Pid) - redisCPU0
	fakeCPU := cpuSeconds(s.fake.cmd.Process.Pid) - fakeCPU0
	processed := 0
	for q := range tasks.Queues {
		if info, err := insp.GetQueueInfo(q); err == nil {
			processed += info.ProcessedTotal
		}
	}
	return float64(n) / took.Seconds(), fmt.Sprintf("%d tasks in %s (%.0f tasks/s); CPU s: workers %.1f, redis %.1f, fake Zammad %.1f (Redis alone would allow ~%.0f tickets/s on one core)",
		processed, took.Round(10*time.Millisecond), float64(processed)/took.Seconds(),
		workerCPU, redisCPU, fakeCPU, float64(n)/redisCPU), nil
}

// cpuSeconds is the user+system CPU time a process has used so far (Linux /proc).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}
