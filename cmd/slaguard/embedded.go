package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/monobunt/slaguard/tasks"
)

// The embedded Redis's polling floor (see app.pollIntervals): a write-back or a timer in
// a trial may come this much later than on a real Redis.
var (
	embeddedTaskCheck  = 250 * time.Millisecond
	embeddedTimerCheck = 250 * time.Millisecond
)

// embeddedRedis is the in-memory Redis of a trial run (no REDIS_URL). miniredis only
// expires keys when its clock is advanced, so a ticker advances it in step with real
// time: TTL-based features (asynq's task retention, leases) behave as on Redis.
type embeddedRedis struct {
	m    *miniredis.Miniredis
	stop context.CancelFunc
	done chan struct{}
}

func startEmbeddedRedis(log *slog.Logger) (*embeddedRedis, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("embedded redis: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &embeddedRedis{m: m, stop: cancel, done: make(chan struct{})}
	go e.advance(ctx, time.Second)
	log.Warn("no REDIS_URL set: started an embedded in-memory Redis; contracts, tickets and billing data will NOT survive a restart",
		slog.String("addr", m.Addr()))
	return e, nil
}

func (e *embeddedRedis) advance(ctx context.Context, every time.Duration) {
	defer close(e.done)
	t := time.NewTicker(every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			e.m.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Addr is the host:port the embedded Redis listens on (loopback).
func (e *embeddedRedis) Addr() string { return e.m.Addr() }

// Close stops the ticker and the server; the data is gone.
func (e *embeddedRedis) Close() {
	e.stop()
	<-e.done
	e.m.Close()
}

// pollIntervals are how often the worker's asynq servers look for work: an idle queue
// (TaskCheckInterval) and due timers (DelayedTaskCheckInterval). Each look is a Lua
// script per queue; a real Redis runs them in microseconds, but the embedded one
// interprets them in Go, so at the production pace (10 ms) an idle trial burnt a
// quarter of a core. A trial polls at a human pace instead.
func (a *app) pollIntervals() (taskCheck, timerCheck time.Duration) {
	taskCheck, timerCheck = tasks.TaskCheckInterval, a.cfg.TimerInterval
	if a.embedded != nil {
		taskCheck = max(taskCheck, embeddedTaskCheck)
		timerCheck = max(timerCheck, embeddedTimerCheck)
	}
	return taskCheck, timerCheck
}
