package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// checkPayload wakes a ticket up at an instant at which one of its clocks can change.
// Checks are armed with an empty payload and say both in their TaskID
// (c:{ticket}:{unix ms}), which asynq keeps anyway: an armed timer per open ticket is
// the biggest part of its Redis budget. Checks armed before carry this JSON.
type checkPayload struct {
	Ticket string    `json:"ticket"`
	At     time.Time `json:"at"`
}

func checkID(ticketKey string, at time.Time) string {
	return "c:" + ticketKey + ":" + strconv.FormatInt(at.UnixMilli(), 10)
}

// parseCheckID reads a check's ticket and instant from its TaskID.
func parseCheckID(id string) (checkPayload, bool) {
	rest, ok := strings.CutPrefix(id, "c:")
	i := strings.LastIndexByte(rest, ':')
	if !ok || i < 0 {
		return checkPayload{}, false
	}
	ms, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return checkPayload{}, false
	}
	return checkPayload{Ticket: rest[:i], At: time.UnixMilli(ms).UTC()}, true
}

// maxEarlyWait is how long a check that woke before its instant waits in place; asynq
// schedules in whole seconds, so up to a second is normal.
const maxEarlyWait = 1500 * time.Millisecond

// CheckRetention keeps a fired check's id taken for a while, so re-arming the same
// instant right after it fired (a re-evaluation racing the check) is a no-op.
const CheckRetention = 10 * time.Minute

// armCheck schedules a re-evaluation of the ticket at `at`. asynq stores the time in
// whole Unix seconds, so the task is scheduled at the second that contains `at` and may
// wake up to a second early; handleCheck then waits out the rest. The TaskID names the
// ticket and the instant: arming the same instant twice (or at start-up again) is a no-op.
func (w *Worker) armCheck(ctx context.Context, ticketKey string, at time.Time) error {
	// asynq fires by the host's clock, which the service's clock need not be (a test or the
	// demo may run the service at another instant).
	sec := clock.Wall(w.cfg.Clock, at).Unix()
	t := asynq.NewTask(tasks.TypeTicketCheck, nil,
		asynq.TaskID(checkID(ticketKey, at)),
		asynq.Queue(tasks.QueueTimers),
		asynq.ProcessAt(time.Unix(sec, 0)),
		asynq.MaxRetry(10),
		asynq.Retention(CheckRetention),
	)
	_, err := w.cfg.Queue.EnqueueContext(ctx, t)
	switch {
	case err == nil:
		if w.cfg.Metrics != nil {
			w.cfg.Metrics.TimersArmed.Inc()
		}
		return nil
	case tasks.AlreadyQueued(err):
		return nil
	}
	return fmt.Errorf("jobs: arm check of %s at %s: %w", ticketKey, at.Format(time.RFC3339), err)
}

// handleCheck re-evaluates a ticket when one of its instants has come. A stale check
// (the ticket was answered, paused or re-prioritised since) finds nothing to do.
func (w *Worker) handleCheck(ctx context.Context, t *asynq.Task) error {
	var p checkPayload
	if len(t.Payload()) > 0 {
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("jobs: decode check: %v: %w", err, asynq.SkipRetry)
		}
	} else {
		id, _ := asynq.GetTaskID(ctx)
		var ok bool
		if p, ok = parseCheckID(id); !ok {
			return fmt.Errorf("jobs: check without payload has id %q: %w", id, asynq.SkipRetry)
		}
	}
	now, rearmed, err := w.wake(ctx, p)
	if err != nil || rearmed {
		return err
	}
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.TimersFired.WithLabelValues("evaluated").Inc()
		w.cfg.Metrics.TimerLateness.Observe(now.Sub(p.At).Seconds())
	}
	_, _, err = w.process(ctx, p.Ticket, nil)
	if errors.Is(err, ticketstore.ErrNoTicket) {
		return nil
	}
	return err
}

// Rearm arms the next check of every ticket that has one, from the store's timer index,
// without evaluating anything. Timers are derived data: this runs at every worker start,
// so a timer lost with a Redis restart or a partial restore heals. Deterministic TaskIDs
// make it idempotent. It returns how many tickets it armed.
func (w *Worker) Rearm(ctx context.Context) (int, error) {
	timers, err := w.store.Timers(ctx)
	if err != nil {
		return 0, err
	}
	for _, d := range timers {
		if err := w.armCheck(ctx, d.Ticket, d.At); err != nil {
			w.cfg.Log.Warn("re-arm failed", slog.String("ticket", d.Ticket), slog.String("error", err.Error()))
		}
	}
	return len(timers), nil
}

// wake returns the present once the check's instant has come: asynq schedules in whole
// seconds, so a check may start up to a second early and waits out the fraction. One that
// woke far too early (clocks of hosts apart) is re-armed instead of holding a worker.
func (w *Worker) wake(ctx context.Context, p checkPayload) (now time.Time, rearmed bool, err error) {
	now = w.cfg.Clock()
	early := p.At.Sub(now)
	if early <= 0 {
		return now, false, nil
	}
	if early > maxEarlyWait {
		if w.cfg.Metrics != nil {
			w.cfg.Metrics.TimersFired.WithLabelValues("early").Inc()
		}
		return now, true, w.armCheck(ctx, p.Ticket, p.At.Add(time.Second))
	}
	t := time.NewTimer(early)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return now, false, ctx.Err()
	case <-t.C:
	}
	return w.cfg.Clock(), false, nil
}
