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

// Write-backs: every evaluation that leaves issued marks unwritten enqueues one task for
// the ticket, named by its newest issued mark (write:{ticket}:{seq}), so marks issued
// together share a task and a later batch gets a task of its own. The task takes the
// ticket's write lock and writes every unwritten mark in the order issued, back to back,
// recording each as it lands: concurrent across tickets, in order and once within one.

// writePayload names the ticket whose pending marks a write task writes. Mark and Write
// are set only by tasks enqueued before batches (one task per mark); such a task writes
// its mark's stored write, or this one when none is stored.
type writePayload struct {
	Ticket helpdesk.TicketRef `json:"ticket"`
	Mark   string             `json:"mark,omitempty"`
	Write  *helpdesk.Write    `json:"write,omitempty"`
}

// WriteRetention keeps a finished write task's id taken briefly. Marks cannot go out twice
// without it (the write lock and the record of written marks see to that); it only spares
// a re-evaluation racing the end of a batch an empty task.
const WriteRetention = time.Minute

// writeLockTTL bounds how long a ticket stays locked by a worker that died mid-batch; a
// batch that runs long renews it before its next write.
const writeLockTTL = 30 * time.Second

// errWaitTurn: another worker is writing this ticket's marks; writes of one ticket reach
// the helpdesk one at a time, in the order they were issued.
var errWaitTurn = errors.New("jobs: another write-back of this ticket is in progress")

// errBusy: the helpdesk already has as many write-backs in flight from this worker as its
// cap allows.
var errBusy = errors.New("jobs: the helpdesk's write-backs are at their cap")

// enqueueWrites enqueues the write task of the ticket's marks issued up to seq; enqueueing
// it again is a no-op.
func (w *Worker) enqueueWrites(ctx context.Context, ref helpdesk.TicketRef, seq int64) error {
	key := ticketstore.Key(ref.Helpdesk, ref.ID)
	b, err := json.Marshal(writePayload{Ticket: ref})
	if err != nil {
		return fmt.Errorf("jobs: encode write: %w", err)
	}
	t := asynq.NewTask(tasks.TypeWrite, b,
		asynq.TaskID("write:"+key+":"+strconv.FormatInt(seq, 10)),
		asynq.Queue(tasks.QueueWrites),
		asynq.MaxRetry(w.cfg.WriteMaxRetry),
		asynq.Retention(WriteRetention),
		asynq.Timeout(5*time.Minute),
	)
	_, err = w.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !tasks.AlreadyQueued(err) {
		return fmt.Errorf("jobs: enqueue writes of %s: %w", key, err)
	}
	return nil
}

// handleWrite writes a ticket's pending marks back to the helpdesk, in order and once.
// Retryable failures (429, 5xx, network) return an error so asynq retries after the delay
// RetryDelay picks (honouring Retry-After); marks written before the failure stay written.
// Other failures skip retries and land in the archive, visible and re-runnable in the
// queue dashboard.
func (w *Worker) handleWrite(ctx context.Context, t *asynq.Task) error {
	var p writePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode write: %v: %w", err, asynq.SkipRetry)
	}
	a, ok := w.cfg.Adapters[p.Ticket.Helpdesk]
	if !ok {
		return fmt.Errorf("jobs: no adapter for helpdesk %q: %w", p.Ticket.Helpdesk, asynq.SkipRetry)
	}
	release, err := w.acquire(ctx, p.Ticket.Helpdesk)
	if err != nil {
		return err
	}
	defer release()
	key := ticketstore.Key(p.Ticket.Helpdesk, p.Ticket.ID)
	lock, rec, err := w.store.LockWrites(ctx, key, writeLockTTL)
	if err != nil {
		return err
	}
	if lock == nil {
		return errWaitTurn
	}
	if err := w.writeBatch(ctx, a, p, lock, rec); err != nil {
		lock.Release(ctx) // unsure: a write of this batch may have landed unrecorded
		return err
	}
	lock.ReleaseClean(ctx)
	return nil
}

// writeBatch writes rec's unwritten marks back to back. The write lock is held.
func (w *Worker) writeBatch(ctx context.Context, a helpdesk.Adapter, p writePayload, lock *ticketstore.WriteLock, rec *ticketstore.Record) error {
	ref, key := p.Ticket, rec.Key
	locked := time.Now()
	if p.Mark != "" && p.Write != nil {
		if _, stored := rec.Pending[p.Mark]; !stored {
			rec.Pending[p.Mark] = ticketstore.Pending{Write: *p.Write, Version: -1}
		}
	}
	var current *sla.Status // the ticket's status now, evaluated once if a mark needs it
	now := func() (*sla.Status, error) {
		if current == nil {
			v, err := w.View(ctx, rec, w.cfg.Clock())
			if err != nil {
				return nil, err
			}
			current = &v.Status
		}
		return current, nil
	}
	// A helpdesk that counts updates per ticket (helpdesk.WriteMerger: Zendesk) gets the
	// batch's marks as one merged write, recorded together once it landed.
	wm, merge := a.(helpdesk.WriteMerger)
	merge = merge && wm.MergesWrites()
	var batch []string
	var batchWrites []helpdesk.Write
	posted := w.postedOnce(ctx, a, ref, lock)
	for _, mark := range rec.Unwritten() {
		if isNotifyMark(mark) {
			continue // pushed by its own task (notify.go), never waited for
		}
		kind := markKind(mark)
		pending, stored := rec.Pending[mark]
		wr := pending.Write
		// A correction (or the critical tag) may be overtaken while it waits, when an
		// agent sets the priority by hand: one the ticket no longer wants is not written,
		// and is recorded as settled so later marks do not wait for it. While the log has
		// no event newer than the evaluation that issued it, it is wanted as issued. Other
		// marks, once issued, stay true. A mark issued without its write stored (by an
		// older version, whose task is gone) takes its write from the status now.
		overtakable := mark == sla.MarkCorrection || mark == sla.MarkCritical
		if !stored || (overtakable && pending.Version != rec.Version) {
			st, err := now()
			if err != nil {
				return err
			}
			m, wanted := st.Mark(mark)
			if !wanted {
				if _, err := w.store.MarkWritten(ctx, key, mark, w.cfg.Clock()); err != nil {
					return err
				}
				w.countWrite(ref.Helpdesk, kind, "dropped", 0)
				w.cfg.Log.Info("write-back dropped: the ticket no longer calls for it",
					slog.String("ticket", key), slog.String("mark", mark))
				continue
			}
			if !stored {
				wr = writeOf(m)
				if wr.Reply != "" {
					wr.ReplyTo = customerEmail(rec)
				}
			}
		}
		if wr.Note != "" || wr.Reply != "" {
			bodies, checked, err := posted()
			if err != nil {
				return err
			}
			if checked {
				if wr = helpdesk.Unposted(wr, bodies); wr.Empty() {
					if err := w.recordWritten(ctx, key, mark); err != nil {
						return err
					}
					rec.Written[mark] = w.cfg.Clock()
					w.countWrite(ref.Helpdesk, kind, "already_posted", 0)
					w.cfg.Log.Info("write-back already on the ticket; recorded without writing it again",
						slog.String("ticket", key), slog.String("mark", mark))
					continue
				}
			}
		}
		if merge {
			batch, batchWrites = append(batch, mark), append(batchWrites, wr)
			continue
		}
		if err := w.applyMarks(ctx, a, ref, lock, &locked, rec, []string{mark}, wr); err != nil {
			return err
		}
	}
	if len(batch) > 0 {
		return w.applyMarks(ctx, a, ref, lock, &locked, rec, batch, helpdesk.Merge(batchWrites...))
	}
	return nil
}

// postedOnce returns a func that reads, at most once per batch, what the ticket's notes
// and replies say, when the write lock is Unsure (its previous holder may have made a
// write it never recorded) and the adapter can read them (helpdesk.PostedReader).
// checked is false when there is nothing to check against: writes go out as they are.
func (w *Worker) postedOnce(ctx context.Context, a helpdesk.Adapter, ref helpdesk.TicketRef,
	lock *ticketstore.WriteLock) func() (bodies []string, checked bool, err error) {
	pr, ok := a.(helpdesk.PostedReader)
	if !ok || !lock.Unsure() {
		return func() ([]string, bool, error) { return nil, false, nil }
	}
	var bodies []string
	read := false
	return func() ([]string, bool, error) {
		if read {
			return bodies, true, nil
		}
		b, err := pr.Posted(ctx, ref)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			// No such ticket (gone, or not yet known): nothing of ours is on it. The write
			// itself then meets the same answer and fails for good, as it would have.
			b = nil
		case err != nil:
			return nil, false, fmt.Errorf("jobs: read what ticket %s already has: %w", ref.ID, err)
		}
		bodies, read = b, true
		w.cfg.Log.Info("write lock taken over from a holder that did not finish clean; notes and replies verified against the helpdesk",
			slog.String("ticket", ticketstore.Key(ref.Helpdesk, ref.ID)), slog.Int("articles", len(b)))
		return bodies, true, nil
	}
}

// applyMarks makes one write that carries marks and records them written. The write lock
// is held.
func (w *Worker) applyMarks(ctx context.Context, a helpdesk.Adapter, ref helpdesk.TicketRef, lock *ticketstore.WriteLock,
	locked *time.Time, rec *ticketstore.Record, marks []string, wr helpdesk.Write) error {
	key := rec.Key
	mark := strings.Join(marks, "+")
	kind := markKind(marks[0])
	if len(marks) > 1 {
		kind = "batch"
	}
	{
		if time.Since(*locked) > writeLockTTL/3 { // renewed while a slow batch goes on
			if held, err := lock.Extend(ctx); err != nil || !held {
				return fmt.Errorf("%w (write lock of %s lost)", errWaitTurn, key)
			}
			*locked = time.Now()
		}
		if err := a.Apply(ctx, ref, wr); err != nil {
			var re *helpdesk.RetryableError
			if errors.As(err, &re) {
				w.countWrite(ref.Helpdesk, kind, "retry", re.Status)
				return err
			}
			w.countWrite(ref.Helpdesk, kind, "failed", 0)
			w.cfg.Log.Error("write-back failed for good; archived", slog.String("ticket", key),
				slog.String("mark", mark), slog.String("error", err.Error()))
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		for _, m := range marks {
			if err := w.recordWritten(ctx, key, m); err != nil {
				// The helpdesk has it; a retry would write it again. Log loudly, do not retry.
				w.cfg.Log.Error("write-back made but not recorded", slog.String("ticket", key),
					slog.String("mark", m), slog.String("error", err.Error()))
				return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
			}
			rec.Written[m] = w.cfg.Clock()
		}
		w.countWrite(ref.Helpdesk, kind, "ok", 200)
		w.cfg.Log.Info("write-back", slog.String("ticket", key), slog.String("mark", mark))
	}
	return nil
}

// recordWritten records that mark reached the helpdesk. When Redis is away (restarting),
// it records it once Redis answers again (awaitRedis, at most redisWait): given up at
// once, the batch's task would be archived with the marks after this one unwritten,
// and a retry would write this one twice.
func (w *Worker) recordWritten(ctx context.Context, key, mark string) error {
	_, err := w.store.MarkWritten(ctx, key, mark, w.cfg.Clock())
	if err == nil {
		return nil
	}
	w.awaitRedis(ctx)
	_, err = w.store.MarkWritten(ctx, key, mark, w.cfg.Clock())
	return err
}

// acquire takes one of the helpdesk's write slots of this worker, waiting up to a second;
// the returned func gives it back.
func (w *Worker) acquire(ctx context.Context, hd string) (func(), error) {
	return acquireSlot(ctx, w.slots[hd])
}

// acquireSlot takes one slot of sem (nil: no cap), waiting up to a second; the returned
// func gives it back. errBusy when none came free.
func acquireSlot(ctx context.Context, sem chan struct{}) (func(), error) {
	if sem == nil {
		return func() {}, nil
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (w *Worker) countWrite(hd, kind, result string, status int) {
	if w.cfg.Metrics == nil {
		return
	}
	s := ""
	if status > 0 {
		s = strconv.Itoa(status)
	}
	if a, ok := w.cfg.Adapters[hd]; ok && helpdesk.IsDryRun(a) && result == "ok" {
		result, s = "dry_run", "" // nothing was sent: not an "ok" from a helpdesk
	}
	w.cfg.Metrics.Writes.WithLabelValues(hd, kind, result, s).Inc()
}

// markKind is the metric label of a mark: its key without per-instance suffixes.
func markKind(mark string) string {
	k, _, _ := strings.Cut(mark, "@")
	return k
}

// RetryDelay is the asynq RetryDelayFunc: it honours a helpdesk's Retry-After, waits
// briefly for another write-back of the same ticket or a free slot of the helpdesk, and
// otherwise backs off exponentially (1 s, 2 s, 4 s … capped at 10 minutes).
func RetryDelay(n int, err error, t *asynq.Task) time.Duration {
	var re *helpdesk.RetryableError
	if errors.As(err, &re) && re.After > 0 {
		if re.After > time.Hour {
			return time.Hour
		}
		return re.After
	}
	if errors.Is(err, errWaitTurn) || errors.Is(err, errBusy) {
		return 100 * time.Millisecond
	}
	d := time.Second << min(n, 10)
	if d > 10*time.Minute {
		d = 10 * time.Minute
	}
	return d
}

// IsFailure is the asynq IsFailure func: waiting for another write of the same ticket or
// for a slot of the helpdesk, and a helpdesk's rate limit (429 with Retry-After), do not
// use up a task's retries.
func IsFailure(err error) bool {
	if errors.Is(err, errWaitTurn) || errors.Is(err, errBusy) {
		return false
	}
	var re *helpdesk.RetryableError
	if errors.As(err, &re) && re.Status == 429 && re.After > 0 {
		return false
	}
	return true
}
