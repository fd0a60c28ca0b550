package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/redistest"
)

// Timers are derived data: a worker that starts re-arms every open ticket's next check,
// so timers lost with their Redis keys (or never armed because a process died) heal.
func TestLostTimersAreReArmedAtStart(t *testing.T) {
	addr := redistest.Addr(t)
	s := startService(t, serviceOptions{redisAddr: addr})
	if code := s.api(http.MethodPost, "/api/v1/contracts", secondsContract(), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	o := ticketOps{s: s, copies: 1}
	o.create(301, "Frage zur Rechnung", "web", "2 normal", "Wo finde ich die Rechnung?")
	eventually(t, 5*time.Second, "the confirmation", func() bool { return len(s.Zammad.Articles(301)) >= 2 })
	ticket, _ := s.Zammad.Ticket(301)
	s.stop()

	// Lose every scheduled timer, as if Redis had been restored from an old backup.
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	keys, _ := rdb.Keys(ctx, "asynq:{timers}:*").Result() // the schedule and its tasks
	if len(keys) < 2 {
		t.Fatal("no scheduled timers before the loss: the test would prove nothing")
	}
	rdb.Del(ctx, keys...)

	s2 := startService(t, serviceOptions{redisAddr: addr}) // the same Redis, not emptied
	s2.Zammad.AddTicket(ticket)
	eventually(t, 10*time.Second, "ticket 301 marked breached after the restart", func() bool {
		return countTag(s2.Zammad, 301, "sla-breached-resolution") == 1
	})
}
