package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	json "github.com/goccy/go-json"
	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/tasks"
)

// TypePass is the task that runs one catch-up pass of a helpdesk.
const TypePass = "helpdesk:reconcile"

// DefaultInterval is how often the periodic pass runs (SLAGUARD_RECONCILE_INTERVAL).
const DefaultInterval = 5 * time.Minute

type passPayload struct {
	Helpdesk string `json:"helpdesk"`
	// Slot is the periodic pass's slot (unix seconds / interval); 0 for a start pass.
	Slot int64 `json:"slot,omitempty"`
}

// Schedule runs the catch-up of a helpdesk as asynq tasks: one pass at once (every worker
// start asks for one) and then one per interval slot. A slot's TaskID names the helpdesk
// and the slot, so any number of workers enqueue each pass once; each pass enqueues the
// next slot before it starts, so a failing pass does not stop the chain, and every worker
// start mends a chain that broke.
type Schedule struct {
	Reconciler *Reconciler
	Queue      *asynq.Client
	Interval   time.Duration
	Clock      func() time.Time
	Log        *slog.Logger
}

// Start enqueues a pass now and the next periodic one.
func (s *Schedule) Start(ctx context.Context) error {
	name := s.Reconciler.Helpdesk()
	now := s.Clock()
	b, _ := json.Marshal(passPayload{Helpdesk: name})
	t := asynq.NewTask(TypePass, b, asynq.Queue(tasks.QueueTimers), asynq.MaxRetry(3),
		asynq.TaskID("reconcile:"+name+":start:"+strconv.FormatInt(now.UnixMilli(), 10)), asynq.Retention(time.Hour))
	if _, err := s.Queue.EnqueueContext(ctx, t); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("reconcile: enqueue the start pass of %s: %w", name, err)
	}
	return s.next(ctx, now)
}

// next enqueues the pass of the slot after now's.
func (s *Schedule) next(ctx context.Context, now time.Time) error {
	name := s.Reconciler.Helpdesk()
	iv := int64(s.Interval / time.Second)
	if iv < 1 {
		iv = 1
	}
	slot := now.Unix()/iv + 1
	at := time.Unix(slot*iv, 0)
	b, _ := json.Marshal(passPayload{Helpdesk: name, Slot: slot})
	t := asynq.NewTask(TypePass, b, asynq.Queue(tasks.QueueTimers), asynq.MaxRetry(3),
		asynq.TaskID("reconcile:"+name+":"+strconv.FormatInt(slot, 10)),
		asynq.ProcessAt(clock.Wall(s.Clock, at)), asynq.Retention(s.Interval))
	_, err := s.Queue.EnqueueContext(ctx, t)
	if err != nil && !tasks.AlreadyQueued(err) {
		return fmt.Errorf("reconcile: schedule the next pass of %s: %w", name, err)
	}
	return nil
}

// Handle runs a TypePass task: it schedules the next slot, then runs the pass. A pass
// that finds another one running is done (that one covers the same changes).
func (s *Schedule) Handle(ctx context.Context, t *asynq.Task) error {
	var p passPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("reconcile: decode pass: %v: %w", err, asynq.SkipRetry)
	}
	if p.Helpdesk != s.Reconciler.Helpdesk() {
		return fmt.Errorf("reconcile: pass of %q on a worker for %q: %w", p.Helpdesk, s.Reconciler.Helpdesk(), asynq.SkipRetry)
	}
	if err := s.next(ctx, s.Clock()); err != nil {
		return err
	}
	_, err := s.Reconciler.Pass(ctx, time.Time{})
	if errors.Is(err, ErrBusy) {
		if m := s.Reconciler.cfg.Metrics; m != nil {
			m.Passes.WithLabelValues(p.Helpdesk, "busy").Inc()
		}
		return nil
	}
	return err
}

// Handler runs the TypePass tasks of several helpdesks — one schedule each — on one mux:
// it hands each task to the schedule of the helpdesk its payload names.
func Handler(schedules ...*Schedule) asynq.HandlerFunc {
	byName := make(map[string]*Schedule, len(schedules))
	for _, s := range schedules {
		byName[s.Reconciler.Helpdesk()] = s
	}
	return func(ctx context.Context, t *asynq.Task) error {
		var p passPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("reconcile: decode pass: %v: %w", err, asynq.SkipRetry)
		}
		s, ok := byName[p.Helpdesk]
		if !ok {
			return fmt.Errorf("reconcile: pass of %q, which this worker does not catch up with: %w", p.Helpdesk, asynq.SkipRetry)
		}
		return s.Handle(ctx, t)
	}
}
