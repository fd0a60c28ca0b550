package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/tasks"
)

// handleCatchup takes the events the catch-up sync recovered for one ticket into its log
// and evaluates the ticket once with all of them, as if their webhooks had arrived: the
// ticket's state is a function of its events, so what the log already had changes
// nothing, and nothing is decided from only a part of what was recovered.
func (w *Worker) handleCatchup(ctx context.Context, t *asynq.Task) error {
	var p tasks.Catchup
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode catch-up: %v: %w", err, asynq.SkipRetry)
	}
	if p.Ticket == "" || len(p.Events) == 0 {
		return fmt.Errorf("jobs: catch-up without ticket or events: %w", asynq.SkipRetry)
	}
	added, err := w.store.AppendEvents(ctx, p.Ticket, p.Events)
	if err != nil {
		return err
	}
	if w.cfg.Metrics != nil {
		hd := p.Events[0].Helpdesk
		w.cfg.Metrics.EventsApplied.WithLabelValues(hd, "recovered").Add(float64(added))
		w.cfg.Metrics.EventsApplied.WithLabelValues(hd, "duplicate").Add(float64(len(p.Events) - added))
	}
	w.cfg.Log.Info("recovered events applied", slog.String("ticket", p.Ticket), slog.Int("events", len(p.Events)),
		slog.Int("new", added))
	rec, _, err := w.process(ctx, p.Ticket, nil)
	if err != nil {
		return err
	}
	return w.maybeSyncTime(ctx, rec, p.Events[len(p.Events)-1])
}
