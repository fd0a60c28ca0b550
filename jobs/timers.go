package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// Timers: a ticket's next check is its score in the store's timer index, set by every
// persist (one sorted set, no asynq task per ticket). RunTimers claims due tickets and
// enqueues a "ticket:check" for each; the check evaluates the ticket at its now, which
// sets the next timer. A stale timer (the ticket was answered, paused, re-prioritised)
// finds nothing to do.

// checkPayload wakes a ticket up at an instant at which one of its clocks can change.
type checkPayload struct {
	Ticket string    `json:"ticket"`
	At     time.Time `json:"at"` // the timer's instant, host wall clock
}

// CheckRetention keeps a fired check's id taken briefly, so a timer claimed twice (its
// lease ran out while its check waited in the queue) is checked once.
const CheckRetention = time.Minute

// timerLease is how far a claimed timer is pushed back: if its check never runs (the
// worker died between claim and enqueue), the ticket is claimed again after this.
const timerLease = time.Minute

// claimBatch is how many due timers one claim takes.
const claimBatch = 500

// RunTimers forwards due timers to the queue every interval until ctx ends. Every worker
// runs it; a claim hands each due ticket to one of them.
func (w *Worker) RunTimers(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := w.forwardDue(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.cfg.Log.Warn("forwarding timers failed", slog.String("error", err.Error()))
				}
				break
			}
			if n < claimBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// forwardDue claims the due timers and enqueues their checks; it returns how many.
func (w *Worker) forwardDue(ctx context.Context) (int, error) {
	due, err := w.store.ClaimDue(ctx, time.Now(), claimBatch, timerLease)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		b, _ := json.Marshal(checkPayload{Ticket: d.Ticket, At: d.At.UTC()})
		t := asynq.NewTask(tasks.TypeTicketCheck, b,
			asynq.TaskID("check:"+d.Ticket+":"+strconv.FormatInt(d.At.UnixMilli(), 10)),
			asynq.Queue(tasks.QueueTimers),
			asynq.MaxRetry(10),
			asynq.Retention(CheckRetention),
		)
		_, err := w.cfg.Queue.EnqueueContext(ctx, t)
		switch {
		case err == nil:
			if w.cfg.Metrics != nil {
				w.cfg.Metrics.TimersArmed.Inc()
			}
		case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		default:
			// The lease brings the ticket back.
			return len(due), fmt.Errorf("jobs: enqueue check of %s: %w", d.Ticket, err)
		}
	}
	return len(due), nil
}

// handleCheck re-evaluates a ticket whose timer has come.
func (w *Worker) handleCheck(ctx context.Context, t *asynq.Task) error {
	var p checkPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode check: %v: %w", err, asynq.SkipRetry)
	}
	// Checks armed by an older version run at whole seconds, up to one early.
	if early := time.Until(p.At); early > 0 && early <= 1500*time.Millisecond {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(early):
		}
	}
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.TimersFired.WithLabelValues("evaluated").Inc()
		w.cfg.Metrics.TimerLateness.Observe(time.Since(p.At).Seconds())
	}
	_, _, err := w.process(ctx, p.Ticket, nil)
	if errors.Is(err, ticketstore.ErrNoTicket) {
		return nil
	}
	return err
}

// Rearm evaluates the tickets on the board that have no timer (timers lost while their
// tickets were kept, as a partial restore of Redis may leave them), which sets their
// timers again. It runs at every worker start and returns how many tickets it evaluated.
func (w *Worker) Rearm(ctx context.Context) (int, error) {
	keys, err := w.store.WithoutTimer(ctx)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, _, err := w.process(ctx, k, nil); err != nil && !errors.Is(err, ticketstore.ErrNoTicket) {
			w.cfg.Log.Warn("re-arm failed", slog.String("ticket", k), slog.String("error", err.Error()))
		}
	}
	return len(keys), nil
}
