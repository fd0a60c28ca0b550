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

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// maxConflicts bounds how often one task loads, evaluates and persists a ticket again
// because another worker added an event in between.
const maxConflicts = 8

// handleDelivery parses a webhook delivery the door queued raw and applies its events.
// A body the adapter cannot parse will never parse: it is archived, visible in the queue
// dashboard.
func (w *Worker) handleDelivery(ctx context.Context, t *asynq.Task) error {
	d, err := tasks.ParseDelivery(t.Payload())
	if err != nil {
		return fmt.Errorf("jobs: %v: %w", err, asynq.SkipRetry)
	}
	a, ok := w.cfg.Adapters[d.Helpdesk]
	if !ok {
		return fmt.Errorf("jobs: no adapter for helpdesk %q: %w", d.Helpdesk, asynq.SkipRetry)
	}
	events, err := a.Parse(d.Header, d.Body)
	if err != nil {
		return fmt.Errorf("jobs: parse delivery %s: %v: %w", d.ID, err, asynq.SkipRetry)
	}
	for _, ev := range events {
		ev.ReceivedAt = d.ReceivedAt
		if err := w.applyEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// handleEvent applies one event queued parsed (by a door without a helpdesk.Router).
func (w *Worker) handleEvent(ctx context.Context, t *asynq.Task) error {
	var ev helpdesk.Event
	if err := json.Unmarshal(t.Payload(), &ev); err != nil {
		return fmt.Errorf("jobs: decode event: %v: %w", err, asynq.SkipRetry)
	}
	return w.applyEvent(ctx, ev)
}

// applyEvent evaluates the event's ticket with the event taken in, and stores the event
// with the evaluation (once: a duplicate stores nothing new).
func (w *Worker) applyEvent(ctx context.Context, ev helpdesk.Event) error {
	if ev.Helpdesk == "" || ev.Ticket.ID == "" {
		return fmt.Errorf("jobs: event without helpdesk or ticket id: %w", asynq.SkipRetry)
	}
	ev, err := w.readBack(ctx, ev)
	if err != nil {
		return err
	}
	key := ticketstore.Key(ev.Helpdesk, ev.Ticket.ID)
	// Even a duplicate is evaluated: the first attempt may have died before its writes.
	rec, added, err := w.process(ctx, key, &ev)
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
	return w.maybeSyncTime(ctx, rec, ev)
}

// readBack replaces a delivery's event by the ticket as the helpdesk's API shows it, for
// adapters that do not act on a webhook body as sent (helpdesk.ReadBack: Freshdesk signs
// nothing, Zendesk's placeholders cannot name the new comment). A ticket the API does not
// know (a forged delivery, or one deleted since) is dropped without retries.
func (w *Worker) readBack(ctx context.Context, ev helpdesk.Event) (helpdesk.Event, error) {
	rb, ok := w.cfg.Adapters[ev.Helpdesk].(helpdesk.ReadBack)
	if !ok {
		return ev, nil
	}
	got, err := rb.ReadBack(ctx, ev)
	if errors.Is(err, helpdesk.ErrNotFound) {
		w.cfg.Log.Warn("delivery names a ticket the helpdesk does not have; dropped", slog.String("helpdesk", ev.Helpdesk),
			slog.String("ticket_id", ev.Ticket.ID), slog.String("delivery_id", ev.DeliveryID))
		return ev, fmt.Errorf("jobs: read back %s ticket %s: %w: %w", ev.Helpdesk, ev.Ticket.ID, err, asynq.SkipRetry)
	}
	if err != nil {
		return ev, err
	}
	got.Helpdesk, got.ReceivedAt = ev.Helpdesk, ev.ReceivedAt
	if got.DeliveryID == "" {
		got.DeliveryID = ev.DeliveryID
	}
	return got, nil
}

// process is the hot path of a ticket, run for an event (ev) or a timer (ev nil):
//
//	load the record (one round trip) → take ev in → decide the inputs (contract,
//	criticality, quota position) → sla.Evaluate once → arm the next check (asynq, only
//	when it moved) → persist in one pipelined round trip (event, status, issued marks,
//	next check, board, contract and customer indexes) → enqueue the write-back batch
//	when marks wait.
//
// A re-evaluation of many tickets runs the same steps a batch at a time (evaluateBatch).
//
// Running it twice, or on two workers at once, does the same as running it once: a
// persist over a log that gained an event meanwhile is refused and the ticket evaluated
// again.
func (w *Worker) process(ctx context.Context, key string, ev *helpdesk.Event) (rec *ticketstore.Record, added bool, err error) {
	start := time.Now()
	for attempt := 0; ; attempt++ {
		rec, added, err = w.processOnce(ctx, key, ev)
		if !errors.Is(err, ticketstore.ErrConflict) || attempt == maxConflicts {
			break
		}
	}
	if err == nil && w.cfg.Metrics != nil {
		w.cfg.Metrics.Evaluations.Observe(time.Since(start).Seconds())
	}
	return rec, added, err
}

func (w *Worker) processOnce(ctx context.Context, key string, ev *helpdesk.Event) (*ticketstore.Record, bool, error) {
	rec, err := w.store.Load(ctx, key)
	if errors.Is(err, ticketstore.ErrNoTicket) && ev != nil {
		rec, err = ticketstore.NewRecord(key), nil
	}
	if err != nil {
		return nil, false, err
	}
	added := false
	if ev != nil {
		if added, err = rec.Add(*ev); err != nil {
			return nil, false, err
		}
	}
	in, err := w.decide(ctx, rec, true)
	if err != nil {
		return nil, false, err
	}
	e := w.evaluate(rec, in, w.cfg.Clock())
	if err := w.armMoved(ctx, e); err != nil {
		return nil, false, err
	}
	p, err := w.store.Persist(ctx, rec, e.Change)
	if err != nil {
		return nil, false, err
	}
	if err := w.persisted(ctx, e, p); err != nil {
		return nil, false, err
	}
	return rec, added, nil
}

// evaluation is one evaluation of a ticket on its way to the store: the record as read,
// the inputs decided and what it stores.
type evaluation struct {
	ticketstore.Evaluated
	in inputs
	st sla.Status
}

// evaluate runs sla.Evaluate on the record at now and turns the status into what is
// stored: the summary, the board and index entries, and the marks not issued before
// with their writes (withdrawals and notifications included). It reads and writes
// nothing outside rec.
func (w *Worker) evaluate(rec *ticketstore.Record, in inputs, now time.Time) evaluation {
	st := sla.Evaluate(in.terms, in.ticket, w.cfg.Rules, now)
	ch := ticketstore.Change{
		Summary:   ticketstore.SummaryOf(in.contractID, in.ticket.Number, in.ticket.Title, st),
		BoardAt:   ticketstore.BoardInstant(st),
		NextCheck: st.NextCheck,
		Index:     ticketstore.IndexEntry(!st.Closed, in.contractID, in.matchKeys),
	}
	replyTo := customerEmail(rec)
	for _, m := range st.Marks {
		if m.Key == sla.MarkNoContract {
			m.Key = noContractMark(noContractRound(rec))
		}
		if _, issued := rec.Issued[m.Key]; issued {
			continue
		}
		wr := writeOf(m)
		if wr.Reply != "" {
			wr.ReplyTo = replyTo
		}
		ch.Issue = append(ch.Issue, ticketstore.Issue{Mark: m.Key, Write: wr})
	}
	if is, ok := withdrawals(rec, in, st); ok {
		ch.Issue = append(ch.Issue, is)
	}
	ch.Issue = append(ch.Issue, notifications(in.notify, ch.Issue)...)
	return evaluation{Evaluated: ticketstore.Evaluated{Record: rec, Change: ch}, in: in, st: st}
}

// armMoved arms the ticket's next check when the evaluation moved it. It runs before the
// persist that records the instant: a crash in between re-arms on retry, and a stale
// timer finds nothing to do.
func (w *Worker) armMoved(ctx context.Context, e evaluation) error {
	if next := e.Change.NextCheck; !next.IsZero() && !next.Equal(e.Record.NextCheck) {
		return w.armCheck(ctx, e.Record.Key, next)
	}
	return nil
}

// persisted follows a stored evaluation: it counts the marks issued now and enqueues the
// ticket's write-back batch and push notifications when marks wait.
func (w *Worker) persisted(ctx context.Context, e evaluation, p ticketstore.Persisted) error {
	rec, in := e.Record, e.in
	if w.cfg.Metrics != nil {
		contract := in.contractID
		if contract == "" {
			contract = "none"
		}
		for _, m := range p.Issued {
			if !isNotifyMark(m) {
				w.cfg.Metrics.Marks.WithLabelValues(contract, m).Inc()
			}
		}
	}
	writes, pushes := 0, 0
	for _, m := range rec.Unwritten() {
		if isNotifyMark(m) {
			pushes++
		} else {
			writes++
		}
	}
	hd, id, _ := ticketstore.SplitKey(rec.Key)
	ref := helpdesk.TicketRef{Helpdesk: hd, ID: id, Number: in.ticket.Number}
	if writes > 0 {
		if err := w.enqueueWrites(ctx, ref, rec.LastIssued()); err != nil {
			return err
		}
	}
	if pushes > 0 {
		if err := w.enqueueNotifications(ctx, ref, rec); err != nil {
			return err
		}
	}
	return nil
}

// View evaluates a ticket from its record at now, for the ticket API. It only reads:
// nothing is stored, counted or enqueued.
func (w *Worker) View(ctx context.Context, rec *ticketstore.Record, now time.Time) (*ticketstore.Evaluation, error) {
	in, err := w.decide(ctx, rec, false)
	if err != nil {
		return nil, err
	}
	hd, id, _ := ticketstore.SplitKey(rec.Key)
	return &ticketstore.Evaluation{Ticket: rec.Key, Helpdesk: hd, ID: id, Number: in.ticket.Number,
		Title: in.ticket.Title, ContractID: in.contractID, CreatedAt: in.ticket.CreatedAt, Evaluated: now,
		Status: sla.Evaluate(in.terms, in.ticket, w.cfg.Rules, now), Written: rec.Written}, nil
}

// writeOf turns a mark into the helpdesk write that carries it.
func writeOf(m sla.Mark) helpdesk.Write {
	w := helpdesk.Write{Priority: m.Priority, Note: m.Note, Reply: m.Reply, ReplySubject: m.ReplySubject}
	if m.Tag != "" {
		w.Tags = []string{m.Tag}
	}
	return w
}

// MarkNoContractWithdrawn withdraws the no-contract mark once a contract covers the ticket.
const MarkNoContractWithdrawn = "no-contract-withdrawn"

// Marks are issued once per key. The no-contract mark can come and go (no contract, a
// contract created, the contract deleted again, …), so each round has its own keys:
// round 0 is "no-contract" / "no-contract-withdrawn", round n "no-contract.n+1" /
// "no-contract-withdrawn.n+1". A round ends with its withdrawal.
func noContractMark(round int) string { return roundKey(sla.MarkNoContract, round) }

func noContractWithdrawn(round int) string { return roundKey(MarkNoContractWithdrawn, round) }

func roundKey(mark string, round int) string {
	if round == 0 {
		return mark
	}
	return mark + "." + strconv.Itoa(round+1)
}

// noContractRound is the ticket's current no-contract round: the number of withdrawals
// issued so far.
func noContractRound(rec *ticketstore.Record) int {
	n := 0
	for {
		if _, done := rec.Issued[noContractWithdrawn(n)]; !done {
			return n
		}
		n++
	}
}

// withdrawals is the withdrawal of a mark that no longer holds and can be taken back:
// the sla-no-contract tag of a ticket a contract now covers (a contract created or
// extended after the ticket came in), with a short note. Other marks are facts of their
// moment (an at-risk or breach note says what was true when it was written) and stay.
func withdrawals(rec *ticketstore.Record, in inputs, st sla.Status) (ticketstore.Issue, bool) {
	if in.terms == nil || st.NoContract {
		return ticketstore.Issue{}, false
	}
	round := noContractRound(rec)
	if _, had := rec.Issued[noContractMark(round)]; !had {
		return ticketstore.Issue{}, false
	}
	return ticketstore.Issue{Mark: noContractWithdrawn(round), Write: helpdesk.Write{
		RemoveTags: []string{"sla-no-contract"},
		Note: "Vertrag gefunden: für dieses Ticket gilt jetzt ein Vertrag mit SLA-Fristen; die Markierung sla-no-contract ist entfernt.\n" +
			"Contract found: this ticket is now covered by a contract with SLA deadlines; the sla-no-contract tag was removed.",
	}}, true
}
