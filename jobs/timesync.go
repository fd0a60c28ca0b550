package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/billing"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// timeSyncPayload asks for a re-read of a ticket's time accounting.
type timeSyncPayload struct {
	Ticket string `json:"ticket"`
}

// maybeSyncTime enqueues a re-read of the ticket's time accounting when the event hints
// that it changed: an article with accounted time, or a different list of entry ids. The
// TaskID is derived from the hint, so the same hint delivered twice reads once.
func (w *Worker) maybeSyncTime(ctx context.Context, rec *ticketstore.Record, ev helpdesk.Event) error {
	if w.cfg.Ledger == nil {
		return nil
	}
	ids := append([]string(nil), ev.Ticket.TimeAccountingIDs...)
	sort.Strings(ids)
	hint := strings.Join(ids, ",")
	accounted := ev.Article != nil && ev.Article.AccountedMinutes > 0
	key := rec.Key
	if !accounted && hint == rec.TimeIDs {
		return nil
	}
	sum := sha256.Sum256([]byte(hint + "|" + ticketstore.ArticleID(ev)))
	t := asynq.NewTask(tasks.TypeTimeSync, mustJSON(timeSyncPayload{Ticket: key}),
		asynq.TaskID("timesync:"+key+":"+hex.EncodeToString(sum[:8])),
		asynq.Queue(tasks.QueueWrites), asynq.MaxRetry(20), asynq.Retention(time.Hour),
		asynq.ProcessIn(time.Second), // let a burst of bookings settle
	)
	_, err := w.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !tasks.AlreadyQueued(err) {
		return fmt.Errorf("jobs: enqueue time sync of %s: %w", key, err)
	}
	return nil
}

// handleTimeSync reads the ticket's time accounting from the helpdesk and makes the
// billing ledger hold exactly those entries, classified by the ticket's status.
func (w *Worker) handleTimeSync(ctx context.Context, t *asynq.Task) error {
	var p timeSyncPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode time sync: %v: %w", err, asynq.SkipRetry)
	}
	rec, err := w.store.Load(ctx, p.Ticket)
	if err != nil {
		return err
	}
	ev, err := w.View(ctx, rec, w.cfg.Clock())
	if err != nil {
		return err
	}
	if ev.ContractID == "" {
		w.countSync("no_contract")
		return nil // no contract, nothing to bill against
	}
	c, err := w.cfg.Contracts.Get(ctx, ev.ContractID)
	if errors.Is(err, contracts.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	terms, err := c.Terms()
	if err != nil {
		return err
	}
	a, ok := w.cfg.Adapters[ev.Helpdesk]
	if !ok {
		return fmt.Errorf("jobs: no adapter for %q: %w", ev.Helpdesk, asynq.SkipRetry)
	}
	entries, err := a.TimeEntries(ctx, helpdesk.TicketRef{Helpdesk: ev.Helpdesk, ID: ev.ID, Number: ev.Number})
	if err != nil {
		w.countSync("error")
		return err
	}
	st := ev.Status
	sources := make([]billing.Source, 0, len(entries))
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		sources = append(sources, billing.Source{
			Helpdesk: ev.Helpdesk, EntryID: e.ID, TicketID: ev.ID, TicketNumber: ev.Number, Title: ev.Title,
			BookedAt: e.CreatedAt, Seconds: int64(math.Round(e.Minutes * 60)), TypeID: e.TypeID,
			ChangeRequest: st.ChangeRequest, OverQuota: st.OverQuota, Priority: st.Priority,
		})
		ids = append(ids, e.ID)
	}
	if err := w.cfg.Ledger.SyncTicket(ctx, ev.Helpdesk, ev.ID, ev.ContractID, terms, sources, w.cfg.Clock()); err != nil {
		w.countSync("error")
		return err
	}
	sort.Strings(ids)
	if err := w.store.SetTimeIDs(ctx, p.Ticket, strings.Join(ids, ",")); err != nil {
		return err
	}
	w.countSync("ok")
	w.cfg.Log.Info("time accounting synced", slog.String("ticket", p.Ticket), slog.Int("entries", len(entries)))
	return nil
}

func (w *Worker) countSync(result string) {
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.TimeSyncs.WithLabelValues(result).Inc()
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
