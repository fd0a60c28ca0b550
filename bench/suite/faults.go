package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// replies counts successful confirmations per ticket.
func (s *stack) replies() map[string]int {
	m := map[string]int{}
	for _, r := range s.requests {
		if r.ok() && r.Method == http.MethodPost && r.Path == "/api/v1/ticket_articles" {
			m[r.ticketID()]++
		}
	}
	return m
}

// eventsOnce counts tickets whose log does not hold exactly want events.
func (s *stack) eventsNot(base, n, want int) (missing, wrong int) {
	var a, b atomic.Int64
	parallel(n, 16, func(i int) {
		switch k := s.events(base + i); {
		case k < 0:
			a.Add(1)
		case k != want:
			b.Add(1)
		}
	})
	return int(a.Load()), int(b.Load())
}

// runKill: kill -9 the worker a third into KILL_EVENTS new tickets (each due one
// confirmation), start it again; every event applied once, every confirmation written
// once. A task the dead worker held is re-run after asynq's lease expires (~1 min).
func runKill(work string) []row {
	n := envInt("KILL_EVENTS", 10000)
	fig := fmt.Sprintf("fault: kill -9 the worker amid %d events", n)
	goal := "every event applied once, every mark written once"
	cmd := "bench/run.sh kill"
	fail := func(err error) []row { return []row{{fig, goal, err.Error(), "FAIL", cmd}} }
	s, err := open(work, "kill", stackOptions{env: []string{"SLAGUARD_CONCURRENCY=50"}})
	if err != nil {
		return fail(err)
	}
	if err := s.contract(contract("1h", "2h", true, 80)); err != nil {
		return fail(err)
	}
	var refused atomic.Int64
	var sent atomic.Int64
	var killed sync.Once
	t0 := time.Now()
	parallel(n, 16, func(i int) {
		t := newTicket(400000+i, "web", "Frage "+strconv.Itoa(i), time.Now())
		if s.deliver(created(t, "Eine Frage zum Shop."), zammadfake.NewDeliveryID()) != http.StatusAccepted {
			refused.Add(1)
		}
		if sent.Add(1) == int64(n/3) {
			killed.Do(func() {
				applied := metrics(s.workURL)[`slaguard_events_applied_total{helpdesk="zammad",result="new"}`]
				s.worker.kill()
				logf("worker killed (SIGKILL) after %d deliveries, %.0f applied; restarting", n/3, applied)
				if err := s.startWorker(); err != nil {
					logf("restart: %v", err)
				}
			})
		}
	})
	logf("%d delivered in %s", n, time.Since(t0).Round(time.Millisecond))
	var got map[string]int
	eventually(180*time.Second, func() bool {
		_ = s.fetch()
		got = s.replies()
		return len(got) >= n
	})
	time.Sleep(3 * time.Second)
	_ = s.fetch()
	got = s.replies()
	twice := 0
	for _, k := range got {
		if k > 1 {
			twice++
		}
	}
	missing, notOnce := s.eventsNot(400000, n, 1)
	ok := len(got) == n && twice == 0 && missing == 0 && notOnce == 0 && refused.Load() == 0
	return []row{{fig, goal, fmt.Sprintf("tickets=%d confirmed=%d written-twice=%d events-missing=%d events-not-once=%d refused=%d (%s)",
		n, len(got), twice, missing, notOnce, refused.Load(), time.Since(t0).Round(time.Second)), verdict(ok), cmd}}
}

// runRedis: SIGTERM Redis (AOF, appendfsync everysec) while webhooks pour in and start
// it again; every delivery answered 202 is applied. Refused deliveries are retried the
// way Zammad does (here after 1 s, up to 10 times). It waits up to REDIS_WAIT seconds
// (150: asynq's own recovery of a task whose worker lost track of it takes up to 2 min)
// and reports how long after Redis was back the last confirmation came; deliveries still
// unconfirmed after 90 s are looked up in asynq's keys and logged.
func runRedis(work string) []row {
	n := envInt("REDIS_EVENTS", 3000)
	wait := time.Duration(envInt("REDIS_WAIT", 150)) * time.Second
	fig := fmt.Sprintf("fault: Redis restarted (AOF) amid %d webhooks", n)
	goal := "no accepted (202) webhook lost"
	cmd := "bench/run.sh redis"
	fail := func(err error) []row { return []row{{fig, goal, err.Error(), "FAIL", cmd}} }
	s, err := open(work, "redis", stackOptions{aof: true, env: []string{"SLAGUARD_CONCURRENCY=50"}})
	if err != nil {
		return fail(err)
	}
	if err := s.contract(contract("1h", "2h", true, 80)); err != nil {
		return fail(err)
	}
	var firstTry, retried, refusedOnce, gaveUp, sentCount atomic.Int64
	accepted := make([]bool, n)
	deliveries := make([]string, n)
	// The restart is placed in the burst by its progress, not by the clock: Redis stops
	// once a fifth of the deliveries were sent and starts again only after a delivery was
	// refused with 503 (at most 10 s later), so the burst meets it every run. Its window
	// is recorded against the burst's and must lie inside it.
	var stoppedAt, startedAt time.Time
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		for sentCount.Load() < int64(n/5) {
			time.Sleep(5 * time.Millisecond)
		}
		s.redis.stop()
		stoppedAt = time.Now()
		logf("redis stopped (SIGTERM) after %d deliveries", sentCount.Load())
		for end := time.Now().Add(10 * time.Second); refusedOnce.Load() == 0 && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		if err := s.redis.restart(); err != nil {
			logf("redis restart: %v", err)
		}
		startedAt = time.Now()
		logf("redis started again after %s", startedAt.Sub(stoppedAt).Round(time.Millisecond))
	}()
	t0 := time.Now()
	parallel(n, 8, func(i int) {
		time.Sleep(time.Until(t0.Add(time.Duration(i) * 2 * time.Millisecond))) // 500/s
		t := newTicket(500000+i, "web", "Frage "+strconv.Itoa(i), time.Now())
		p, id := created(t, "Eine Frage zum Shop."), zammadfake.NewDeliveryID()
		deliveries[i] = id
		sentCount.Add(1)
		for try := 0; try < 10; try++ {
			if s.deliver(p, id) == http.StatusAccepted {
				accepted[i] = true
				if try == 0 {
					firstTry.Add(1)
				} else {
					retried.Add(1)
				}
				return
			}
			if try == 0 {
				refusedOnce.Add(1)
			}
			time.Sleep(time.Second)
		}
		gaveUp.Add(1)
	})
	burstEnd := time.Now()
	<-restarted
	inBurst := !stoppedAt.IsZero() && stoppedAt.After(t0) && startedAt.Before(burstEnd)
	logf("%d delivered in %s", n, time.Since(t0).Round(time.Millisecond))
	// Wait for every confirmation, noting when the last one came; after 90 s, say where
	// the missing ones are.
	confirmedAt := map[string]time.Time{}
	var lastAt time.Time
	looked := false
	eventually(wait, func() bool {
		_ = s.fetch()
		for id := range s.replies() {
			if _, ok := confirmedAt[id]; !ok {
				confirmedAt[id] = time.Now()
				lastAt = time.Now()
			}
		}
		if len(confirmedAt) < n && !looked && time.Since(burstEnd) > 90*time.Second {
			looked = true
			for i := 0; i < n; i++ {
				if _, ok := confirmedAt[strconv.Itoa(500000+i)]; !ok {
					logf("after 90 s unconfirmed: ticket %d (accepted %v): %s", 500000+i, accepted[i], s.where(i, deliveries[i]))
				}
			}
		}
		return len(confirmedAt) >= n
	})
	lost := n - len(confirmedAt)
	var mu sync.Mutex
	noView := 0
	parallel(n, 16, func(i int) {
		if accepted[i] && s.events(500000+i) < 1 {
			mu.Lock()
			noView++
			mu.Unlock()
			logf("accepted but not applied: ticket %d: %s", 500000+i, s.where(i, deliveries[i]))
		}
	})
	twice := 0
	for _, k := range s.replies() {
		if k > 1 {
			twice++
		}
	}
	late := "never"
	if !lastAt.IsZero() && !startedAt.IsZero() {
		late = fmt.Sprintf("+%s", lastAt.Sub(startedAt).Round(100*time.Millisecond))
	}
	ok := inBurst && noView == 0 && lost == 0 && twice == 0 && refusedOnce.Load() > 0 && gaveUp.Load() == 0
	return []row{{fig, goal, fmt.Sprintf("Redis down from +%s to +%s of the %s burst (in the burst: %v); accepted first try=%d, refused (503) then retried=%d, gave up=%d, accepted but not applied=%d, unconfirmed=%d (waiting up to %s), confirmed twice=%d; last confirmation %s after Redis was back",
		stoppedAt.Sub(t0).Round(time.Millisecond), startedAt.Sub(t0).Round(time.Millisecond), burstEnd.Sub(t0).Round(time.Millisecond), inBurst,
		firstTry.Load(), retried.Load(), gaveUp.Load(), noView, lost, wait, twice, late), verdict(ok), cmd}}
}

// where tells what asynq holds of the delivery task of ticket 500000+i and of its
// write-back tasks: state, retries, lease.
func (s *stack) where(i int, delivery string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rdb := s.redis.rdb
	task := func(q, id string) string {
		st, _ := rdb.HGet(ctx, "asynq:{"+q+"}:t:"+id, "state").Result()
		if st == "" {
			st = "gone"
		}
		if l, err := rdb.ZScore(ctx, "asynq:{"+q+"}:lease", id).Result(); err == nil {
			st += fmt.Sprintf(" (lease until %s)", time.Unix(int64(l), 0).Format("15:04:05"))
		}
		if _, err := rdb.LPos(ctx, "asynq:{"+q+"}:active", id, redis.LPosArgs{}).Result(); err == nil {
			st += " [in the active list]"
		}
		return q + " " + id + ": " + st
	}
	out := []string{task("events", "event:zammad:"+delivery)}
	keys, _ := rdb.Keys(ctx, fmt.Sprintf("asynq:{writes}:t:write:zammad:%d:*", 500000+i)).Result()
	for _, k := range keys {
		out = append(out, task("writes", strings.TrimPrefix(k, "asynq:{writes}:t:")))
	}
	if n, _ := rdb.HLen(ctx, fmt.Sprintf("slaguard:ticket:{zammad:%d}", 500000+i)).Result(); n > 0 {
		out = append(out, fmt.Sprintf("ticket hash has %d fields", n))
	} else {
		out = append(out, "no ticket hash")
	}
	return strings.Join(out, "; ")
}
