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

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// writePayload is one mark to write back to a ticket.
type writePayload struct {
	Ticket helpdesk.TicketRef `json:"ticket"`
	Mark   string             `json:"mark"`
	Write  helpdesk.Write     `json:"write"`
}

// WriteRetention keeps a finished write task's id taken for a while, so a re-evaluation
// racing the end of the write cannot enqueue the mark again; after that the ticket log's
// record of written marks is what keeps it from being written twice.
const WriteRetention = time.Hour

// errWaitTurn: an earlier mark of the same ticket is not written yet; writes of one ticket
// reach the helpdesk in the order they were issued.
var errWaitTurn = errors.New("jobs: an earlier write-back of this ticket is still pending")

// enqueueWrite issues mark on the ticket (fixing its place in the write order) and
// enqueues its write-back task, once: a second call for the same mark is a no-op.
func (w *Worker) enqueueWrite(ctx context.Context, ref helpdesk.TicketRef, mark string, wr helpdesk.Write) error {
	key := ticketstore.Key(ref.Helpdesk, ref.ID)
	if _, err := w.store.Issue(ctx, key, mark); err != nil {
		return err
	}
	b, err := json.Marshal(writePayload{Ticket: ref, Mark: mark, Write: wr})
	if err != nil {
		return fmt.Errorf("jobs: encode write: %w", err)
	}
	t := asynq.NewTask(tasks.TypeWrite, b,
		asynq.TaskID("write:"+key+":"+mark),
		asynq.Queue(tasks.QueueWrites),
		asynq.MaxRetry(w.cfg.WriteMaxRetry),
		asynq.Retention(WriteRetention),
		asynq.Timeout(60*time.Second),
	)
	_, err = w.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("jobs: enqueue write %s on %s: %w", mark, key, err)
	}
	return nil
}

// handleWrite writes one mark back to the helpdesk, once. Retryable failures (429, 5xx,
// network) return an error so asynq retries after the delay RetryDelay picks (honouring
// Retry-After); other failures skip retries and land in the archive, visible and
// re-runnable in the queue dashboard.
func (w *Worker) handleWrite(ctx context.Context, t *asynq.Task) error {
	var p writePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode write: %v: %w", err, asynq.SkipRetry)
	}
	key := ticketstore.Key(p.Ticket.Helpdesk, p.Ticket.ID)
	kind := markKind(p.Mark)
	done, before, err := w.store.Written(ctx, key, p.Mark)
	if err != nil {
		return err
	}
	if done {
		w.countWrite(p.Ticket.Helpdesk, kind, "skipped", 0)
		return nil
	}
	if len(before) > 0 {
		return fmt.Errorf("%w (%s before %s)", errWaitTurn, strings.Join(before, ","), p.Mark)
	}
	// A correction (or the critical tag) may be overtaken while it waits, when an agent
	// sets the priority by hand: one the ticket no longer wants is not written, and is
	// recorded as settled so later marks do not wait for it. Other marks, once issued,
	// stay true, so they skip the re-evaluation (it costs the hot path a third).
	if p.Mark != sla.MarkCorrection && p.Mark != sla.MarkCritical {
		// written as issued
	} else if wanted, err := w.stillWanted(ctx, key, p.Mark); err != nil {
		return err
	} else if !wanted {
		if _, err := w.store.MarkWritten(ctx, key, p.Mark, w.cfg.Clock()); err != nil {
			return err
		}
		w.countWrite(p.Ticket.Helpdesk, kind, "dropped", 0)
		w.cfg.Log.Info("write-back dropped: the ticket no longer calls for it",
			slog.String("ticket", key), slog.String("mark", p.Mark))
		return nil
	}
	a, ok := w.cfg.Adapters[p.Ticket.Helpdesk]
	if !ok {
		return fmt.Errorf("jobs: no adapter for helpdesk %q: %w", p.Ticket.Helpdesk, asynq.SkipRetry)
	}
	if err := a.Apply(ctx, p.Ticket, p.Write); err != nil {
		var re *helpdesk.RetryableError
		if errors.As(err, &re) {
			w.countWrite(p.Ticket.Helpdesk, kind, "retry", re.Status)
			return err
		}
		w.countWrite(p.Ticket.Helpdesk, kind, "failed", 0)
		w.cfg.Log.Error("write-back failed for good; archived", slog.String("ticket", key),
			slog.String("mark", p.Mark), slog.String("error", err.Error()))
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if _, err := w.store.MarkWritten(ctx, key, p.Mark, w.cfg.Clock()); err != nil {
		// The helpdesk has it; a retry would write it again. Log loudly, do not retry.
		w.cfg.Log.Error("write-back made but not recorded", slog.String("ticket", key),
			slog.String("mark", p.Mark), slog.String("error", err.Error()))
		return nil
	}
	w.countWrite(p.Ticket.Helpdesk, kind, "ok", 200)
	w.cfg.Log.Info("write-back", slog.String("ticket", key), slog.String("mark", p.Mark))
	return nil
}

func (w *Worker) countWrite(hd, kind, result string, status int) {
	if w.cfg.Metrics == nil {
		return
	}
	s := ""
	if status > 0 {
		s = strconv.Itoa(status)
	}
	w.cfg.Metrics.Writes.WithLabelValues(hd, kind, result, s).Inc()
}

// markKind is the metric label of a mark: its key without per-instance suffixes.
func markKind(mark string) string {
	k, _, _ := strings.Cut(mark, "@")
	return k
}

// RetryDelay is the asynq RetryDelayFunc: it honours a helpdesk's Retry-After, waits
// briefly for an earlier write of the same ticket, and otherwise backs off exponentially
// (1 s, 2 s, 4 s … capped at 10 minutes).
func RetryDelay(n int, err error, t *asynq.Task) time.Duration {
	var re *helpdesk.RetryableError
	if errors.As(err, &re) && re.After > 0 {
		if re.After > time.Hour {
			return time.Hour
		}
		return re.After
	}
	if errors.Is(err, errWaitTurn) {
		return time.Second
	}
	d := time.Second << min(n, 10)
	if d > 10*time.Minute {
		d = 10 * time.Minute
	}
	return d
}

// IsFailure is the asynq IsFailure func: waiting for an earlier write of the same ticket
// and a helpdesk's rate limit (429 with Retry-After) do not use up a task's retries.
func IsFailure(err error) bool {
	if errors.Is(err, errWaitTurn) {
		return false
	}
	var re *helpdesk.RetryableError
	if errors.As(err, &re) && re.Status == 429 && re.After > 0 {
		return false
	}
	return true
}

// stillWanted re-evaluates the ticket now and reports whether it still carries mark.
func (w *Worker) stillWanted(ctx context.Context, key, mark string) (bool, error) {
	rec, err := w.store.Load(ctx, key)
	if err != nil {
		return false, err
	}
	ev, err := w.evaluate(ctx, rec, w.cfg.Clock())
	if err != nil {
		return false, err
	}
	_, ok := ev.Status.Mark(mark)
	return ok, nil
}
