package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// handleEvent applies one webhook event: it is stored in the ticket's log (once), and
// the ticket is evaluated from its whole log.
func (w *Worker) handleEvent(ctx context.Context, t *asynq.Task) error {
	var ev helpdesk.Event
	if err := json.Unmarshal(t.Payload(), &ev); err != nil {
		return fmt.Errorf("jobs: decode event: %v: %w", err, asynq.SkipRetry)
	}
	if ev.Helpdesk == "" || ev.Ticket.ID == "" {
		return fmt.Errorf("jobs: event without helpdesk or ticket id: %w", asynq.SkipRetry)
	}
	added, err := w.store.Append(ctx, ev)
	if err != nil {
		return err
	}
	result := "new"
	if !added {
		result = "duplicate"
	}
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.EventsApplied.WithLabelValues(ev.Helpdesk, result).Inc()
	}
	w.cfg.Log.Info("event applied", slog.String("helpdesk", ev.Helpdesk), slog.String("ticket_id", ev.Ticket.ID),
		slog.String("delivery_id", ev.DeliveryID), slog.String("result", result))
	// Even a duplicate is evaluated: the first attempt may have died after storing it.
	key := ticketstore.Key(ev.Helpdesk, ev.Ticket.ID)
	if err := w.process(ctx, key); err != nil {
		return err
	}
	return w.maybeSyncTime(ctx, key, ev)
}

// process evaluates a ticket from its whole log at the worker's now and acts on it:
// every mark not yet written gets its write-back task, the next check is armed and the
// status is saved for the API. Running it twice, or on two workers at once, does the
// same as running it once.
func (w *Worker) process(ctx context.Context, key string) error {
	start := time.Now()
	rec, err := w.store.Load(ctx, key)
	if err != nil {
		return err
	}
	ev, err := w.evaluate(ctx, rec, w.cfg.Clock())
	if err != nil {
		return err
	}
	hd, id, _ := ticketstore.SplitKey(key)
	ref := helpdesk.TicketRef{Helpdesk: hd, ID: id, Number: ev.Number}
	replyTo := customerEmail(rec)
	for _, m := range ev.Status.Marks {
		if _, done := rec.Written[m.Key]; done {
			continue
		}
		if _, issued := rec.Issued[m.Key]; !issued && w.cfg.Metrics != nil {
			contract := ev.ContractID
			if contract == "" {
				contract = "none"
			}
			w.cfg.Metrics.Marks.WithLabelValues(contract, m.Key).Inc()
		}
		wr := writeOf(m)
		if wr.Reply != "" {
			wr.ReplyTo = replyTo
		}
		if err := w.enqueueWrite(ctx, ref, m.Key, wr); err != nil {
			return err
		}
	}
	if !ev.Status.NextCheck.IsZero() {
		if err := w.armCheck(ctx, key, ev.Status.NextCheck); err != nil {
			return err
		}
	}
	b, err := json.Marshal(ticketstore.SummaryOf(ev.ContractID, ev.Number, ev.Title, ev.Status))
	if err != nil {
		return fmt.Errorf("jobs: encode status of %s: %w", key, err)
	}
	if err := w.store.SaveStatus(ctx, key, b, ev.Status.NextCheck, ticketstore.BoardInstant(ev.Status)); err != nil {
		return err
	}
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.Evaluations.Observe(time.Since(start).Seconds())
	}
	return nil
}

// evaluate is the pure part of process plus the lookups it needs: the ticket's
// contract at its creation and its place in the month's quota.
func (w *Worker) evaluate(ctx context.Context, rec *ticketstore.Record, now time.Time) (*ticketstore.Evaluation, error) {
	if len(rec.Events) == 0 {
		return nil, ticketstore.ErrNoTicket
	}
	hd, id, _ := ticketstore.SplitKey(rec.Key)
	t := w.slaTicket(hd, rec.Events, criticalWrittenAt(rec))
	if w.cfg.Classifier != nil {
		subject, body := t.ClassifiedText()
		t.Verdict = classify.Classify(w.cfg.Classifier, subject, body).Verdict()
	}
	// The customer as the newest snapshot that names one says (a snapshot without
	// organisation or customer, e.g. of a partial payload, does not unmatch the ticket).
	var org, orgName, email string
	for i := len(rec.Events) - 1; i >= 0 && org == "" && orgName == "" && email == ""; i-- {
		tk := rec.Events[i].Ticket
		org, orgName, email = tk.OrganizationID, tk.OrganizationName, tk.CustomerEmail
	}
	out := &ticketstore.Evaluation{Ticket: rec.Key, Helpdesk: hd, ID: id, Number: t.Number, Title: t.Title,
		CreatedAt: t.CreatedAt, Evaluated: now, Written: rec.Written}

	c, err := w.cfg.Contracts.Match(ctx, contracts.MatchQuery{
		OrganizationID: org, OrganizationName: orgName, Email: email, At: t.CreatedAt,
	})
	var terms *sla.Terms
	switch {
	case errors.Is(err, contracts.ErrNoContract):
	case err != nil:
		return nil, fmt.Errorf("jobs: match contract of %s: %w", rec.Key, err)
	default:
		tm, err := c.Terms()
		if err != nil {
			return nil, fmt.Errorf("jobs: terms of contract %s: %w", c.ID, err)
		}
		terms = &tm
		out.ContractID = c.ID
	}
	st := sla.Evaluate(terms, t, w.cfg.Rules, now)
	if terms != nil && !st.ChangeRequest {
		pos, err := w.store.CountQuota(ctx, out.ContractID, rec.Key, t.CreatedAt)
		if err != nil {
			return nil, err
		}
		t.QuotaPosition = pos
		st = sla.Evaluate(terms, t, w.cfg.Rules, now)
	}
	out.Status = st
	return out, nil
}

// criticalWrittenAt is when slaguard wrote a correction to critical, or zero. A
// helpdesk without a critical level (a stock Zammad) stores it as high plus a tag, so
// from then on its high means critical.
func criticalWrittenAt(rec *ticketstore.Record) time.Time {
	at, ok := rec.Written[sla.MarkCorrection]
	if !ok || len(rec.Status) == 0 {
		return time.Time{}
	}
	var prev ticketstore.Summary
	if json.Unmarshal(rec.Status, &prev) != nil || prev.CorrectedTo != sla.Critical {
		return time.Time{}
	}
	return at
}

// slaTicket maps the log's helpdesk events to what sla.Evaluate reads.
func (w *Worker) slaTicket(hd string, events []helpdesk.Event, criticalAt time.Time) sla.Ticket {
	self := w.cfg.SelfIDs[hd]
	first, last := events[0].Ticket, events[len(events)-1].Ticket
	t := sla.Ticket{ID: last.ID, Number: last.Number, Title: first.Title, Channel: string(first.Channel),
		CreatedAt: first.CreatedAt}
	for _, e := range events {
		if !e.Ticket.CreatedAt.IsZero() && e.Ticket.CreatedAt.Before(t.CreatedAt) {
			t.CreatedAt = e.Ticket.CreatedAt
		}
		if t.Number == "" {
			t.Number = e.Ticket.Number
		}
		s := sla.Snapshot{
			At: e.Ticket.UpdatedAt, State: e.Ticket.State, Paused: e.Ticket.Paused, Closed: e.Ticket.Closed,
			Priority: e.Ticket.Priority, BySelf: self != "" && e.Ticket.UpdatedBy == self,
		}
		if s.Priority == sla.High && !criticalAt.IsZero() && !e.Ticket.UpdatedAt.Before(criticalAt.Add(-time.Second)) {
			s.Priority = sla.Critical
		}
		if a := e.Article; a != nil && a.ID != "" {
			s.Article = &sla.Message{
				ID: a.ID, At: a.CreatedAt, FromAgent: a.Sender == helpdesk.SenderAgent, Public: !a.Internal,
				BySelf: self != "" && a.CreatedBy == self, Channel: string(a.Channel), Subject: a.Subject, Body: a.Body,
			}
		}
		t.Snapshots = append(t.Snapshots, s)
	}
	return t
}

// customerEmail is the customer's address as the newest snapshot that names one says.
func customerEmail(rec *ticketstore.Record) string {
	for i := len(rec.Events) - 1; i >= 0; i-- {
		if e := rec.Events[i].Ticket.CustomerEmail; e != "" {
			return e
		}
	}
	return ""
}

// writeOf turns a mark into the helpdesk write that carries it.
func writeOf(m sla.Mark) helpdesk.Write {
	w := helpdesk.Write{Priority: m.Priority, Note: m.Note, Reply: m.Reply, ReplySubject: m.ReplySubject}
	if m.Tag != "" {
		w.Tags = []string{m.Tag}
	}
	return w
}

// Evaluate evaluates a ticket from its record at now, for the ticket API.
func (w *Worker) Evaluate(ctx context.Context, rec *ticketstore.Record, now time.Time) (*ticketstore.Evaluation, error) {
	return w.evaluate(ctx, rec, now)
}
