package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/notify"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// Push notifications: when an evaluation issues an at-risk or breach mark on a ticket
// whose contract has a notify setting, it issues with it one more mark per channel,
// "notify:<channel>:<mark>", in the same persist. Issued, such a mark is recorded like
// any other (it survives a crash and is found by every later evaluation until written);
// it goes out in a task of its own (notify:send, queue notify) under a lock of its own
// (ticketstore.LockMark), is recorded written once the receiver took it, and is retried
// on 429 (honouring Retry-After), 5xx and network errors up to WriteMaxRetry times, then
// archived like a write-back. The helpdesk write-back of the ticket's marks never waits
// for it. A crash between a receiver's 2xx and the record sends that warning again: the
// same window as a helpdesk write.

// NotifyConfig is how a worker pushes the contracts' warnings.
type NotifyConfig struct {
	// HTTPClient posts to the chat webhooks; nil is one with notify.DefaultTimeout.
	HTTPClient *http.Client
	// Mailer sends e-mail; nil is the trial: each e-mail is logged, not sent.
	Mailer *notify.Mailer
	// TicketURL links a ticket to its page in the helpdesk ("" for no link); nil: none.
	TicketURL func(ref helpdesk.TicketRef) string
	// Concurrency caps the warnings this worker sends at once, so receivers that hang
	// hold a few task slots at most; 0 means DefaultNotifyConcurrency.
	Concurrency int
}

// DefaultNotifyConcurrency is the default cap of warnings a worker sends at once.
const DefaultNotifyConcurrency = 4

const notifyPrefix = "notify:"

// notifyMark is the mark of a warning about mark pushed on channel.
func notifyMark(channel, mark string) string { return notifyPrefix + channel + ":" + mark }

// isNotifyMark reports whether mark is a push notification (not a helpdesk write).
func isNotifyMark(mark string) bool { return strings.HasPrefix(mark, notifyPrefix) }

func splitNotifyMark(m string) (channel, mark string, ok bool) {
	rest, ok := strings.CutPrefix(m, notifyPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, ":")
}

// warningOf is the kind of warning a mark is (contracts.NotifyAtRisk, NotifyBreach) and
// its clock ("first-response", "resolution"); kind is "" for other marks.
func warningOf(mark string) (kind, clock string) {
	if c, ok := strings.CutPrefix(mark, "at-risk-"); ok {
		return contracts.NotifyAtRisk, c
	}
	if c, ok := strings.CutPrefix(mark, "breached-"); ok {
		return contracts.NotifyBreach, c
	}
	return "", ""
}

// notifications are the warnings to issue with the marks an evaluation issues, one per
// channel of the contract's notify setting. Only marks issued now are announced, so a
// notify setting added later does not announce old marks. An at-risk warning issued
// together with the breach of its clock (a ticket evaluated late) is left out: the
// breach says more.
func notifications(n *contracts.Notify, issue []ticketstore.Issue) []ticketstore.Issue {
	channels := n.Channels()
	if len(channels) == 0 {
		return nil
	}
	breached := map[string]bool{}
	for _, is := range issue {
		if kind, clock := warningOf(is.Mark); kind == contracts.NotifyBreach {
			breached[clock] = true
		}
	}
	var out []ticketstore.Issue
	for _, is := range issue {
		kind, clock := warningOf(is.Mark)
		if kind == "" || !n.Wants(kind) || (kind == contracts.NotifyAtRisk && breached[clock]) {
			continue
		}
		for _, ch := range channels {
			out = append(out, ticketstore.Issue{Mark: notifyMark(ch, is.Mark)})
		}
	}
	return out
}

type notifyPayload struct {
	Ticket helpdesk.TicketRef `json:"ticket"`
	Mark   string             `json:"mark"`
}

// enqueueNotifications enqueues a task for each warning of the ticket not yet sent;
// enqueueing one again is a no-op while its task is known to asynq.
func (w *Worker) enqueueNotifications(ctx context.Context, ref helpdesk.TicketRef, rec *ticketstore.Record) error {
	key := ticketstore.Key(ref.Helpdesk, ref.ID)
	for _, mark := range rec.Unwritten() {
		if !isNotifyMark(mark) {
			continue
		}
		b, err := json.Marshal(notifyPayload{Ticket: ref, Mark: mark})
		if err != nil {
			return fmt.Errorf("jobs: encode notification: %w", err)
		}
		t := asynq.NewTask(tasks.TypeNotify, b,
			asynq.TaskID("notify:"+key+":"+mark),
			asynq.Queue(tasks.QueueNotify),
			asynq.MaxRetry(w.cfg.WriteMaxRetry),
			asynq.Retention(WriteRetention),
			asynq.Timeout(2*time.Minute),
		)
		_, err = w.cfg.Queue.EnqueueContext(ctx, t)
		if err != nil && !tasks.AlreadyQueued(err) {
			return fmt.Errorf("jobs: enqueue notification %s of %s: %w", mark, key, err)
		}
	}
	return nil
}

// handleNotify pushes one warning, once: under the warning's own lock, skipped when it
// was recorded sent, recorded sent when the receiver took it.
func (w *Worker) handleNotify(ctx context.Context, t *asynq.Task) error {
	var p notifyPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("jobs: decode notification: %v: %w", err, asynq.SkipRetry)
	}
	channel, mark, ok := splitNotifyMark(p.Mark)
	if !ok {
		return fmt.Errorf("jobs: %q is not a notification: %w", p.Mark, asynq.SkipRetry)
	}
	key := ticketstore.Key(p.Ticket.Helpdesk, p.Ticket.ID)
	lock, rec, err := w.store.LockMark(ctx, key, p.Mark, writeLockTTL)
	if errors.Is(err, ticketstore.ErrNoTicket) {
		return nil // the ticket is gone; so is its warning
	}
	if err != nil {
		return err
	}
	if lock == nil {
		return errWaitTurn
	}
	defer lock.Release(ctx)
	if _, sent := rec.Written[p.Mark]; sent {
		return nil // a duplicate task, or a retry after the record
	}
	if _, issued := rec.Issued[p.Mark]; !issued {
		return nil
	}
	msg, n, why, err := w.warning(ctx, p.Ticket, rec, channel, mark)
	if err != nil {
		return err
	}
	if why != "" {
		if _, err := w.store.MarkWritten(ctx, key, p.Mark, w.cfg.Clock()); err != nil {
			return err
		}
		w.countNotification(channel, "dropped")
		w.cfg.Log.Info("notification dropped", slog.String("ticket", key), slog.String("mark", p.Mark), slog.String("reason", why))
		return nil
	}
	release, err := acquireSlot(ctx, w.notifySlots)
	if err != nil {
		return err
	}
	result, err := w.push(ctx, channel, n, msg)
	release()
	if err != nil {
		var re *helpdesk.RetryableError
		if errors.As(err, &re) {
			w.countNotification(channel, "retry")
			w.cfg.Log.Warn("notification failed; will retry", slog.String("ticket", key), slog.String("mark", p.Mark),
				slog.String("error", err.Error()))
			return err
		}
		w.countNotification(channel, "failed")
		w.cfg.Log.Error("notification failed for good; archived", slog.String("ticket", key), slog.String("mark", p.Mark),
			slog.String("error", err.Error()))
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if _, err := w.store.MarkWritten(ctx, key, p.Mark, w.cfg.Clock()); err != nil {
		// The receiver has it; a retry would send it again. Log loudly, do not retry.
		w.cfg.Log.Error("notification sent but not recorded", slog.String("ticket", key),
			slog.String("mark", p.Mark), slog.String("error", err.Error()))
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	w.countNotification(channel, result)
	w.cfg.Log.Info("notification", slog.String("ticket", key), slog.String("mark", p.Mark), slog.String("result", result))
	return nil
}

// warning makes the message of a warning from the ticket and its contract now. It gives
// a reason instead when the warning is no longer to be sent: the contract no longer
// pushes to the channel, or an at-risk clock was met meanwhile or breached (a receiver
// that was down gets the breach alone).
func (w *Worker) warning(ctx context.Context, ref helpdesk.TicketRef, rec *ticketstore.Record, channel, mark string) (
	msg notify.Message, n *contracts.Notify, why string, err error) {
	v, err := w.View(ctx, rec, w.cfg.Clock())
	if err != nil {
		return msg, nil, "", err
	}
	if v.ContractID == "" {
		return msg, nil, "the ticket is under no contract now", nil
	}
	c, err := w.cfg.Contracts.Get(ctx, v.ContractID)
	if errors.Is(err, contracts.ErrNotFound) {
		return msg, nil, "the contract is gone", nil
	}
	if err != nil {
		return msg, nil, "", err
	}
	kind, clockName := warningOf(mark)
	n = c.Notify
	if !n.Wants(kind) || !slices.Contains(n.Channels(), channel) {
		return msg, nil, "the contract no longer pushes this warning to " + channel, nil
	}
	clock := v.Status.Resolution
	if clockName == "first-response" {
		clock = v.Status.FirstResponse
	}
	if kind == contracts.NotifyAtRisk && clock.State == sla.ClockMet {
		return msg, nil, "the clock was met meanwhile", nil
	}
	if _, breached := rec.Issued[notifyMark(channel, "breached-"+clockName)]; kind == contracts.NotifyAtRisk && breached {
		return msg, nil, "the clock breached meanwhile (its breach is pushed)", nil
	}
	if ref.Number == "" {
		ref.Number = v.Number
	}
	msg = notify.Message{
		Kind: notify.Kind(kind), Clock: clockName, Customer: c.Customer, Ticket: v.Number, Title: v.Title,
		Deadline: clock.Deadline, Left: clock.Target.D() - clock.Used.D(), ID: rec.Key + "/" + mark,
	}
	if w.cfg.Notify.TicketURL != nil {
		msg.URL = w.cfg.Notify.TicketURL(ref)
	}
	return msg, n, "", nil
}

// push sends msg on channel; result is "sent", or "trial" for an e-mail logged instead.
func (w *Worker) push(ctx context.Context, channel string, n *contracts.Notify, msg notify.Message) (result string, err error) {
	if channel == string(notify.Email) {
		if w.cfg.Notify.Mailer == nil {
			w.cfg.Log.Info("trial: e-mail not sent (no SLAGUARD_SMTP_URL)", slog.Any("to", n.Email),
				slog.String("subject", msg.Subject()), slog.String("body", msg.Text()))
			return "trial", nil
		}
		return "sent", w.cfg.Notify.Mailer.Send(ctx, n.Email, msg)
	}
	wh := notify.Webhook{Channel: notify.Channel(channel), URL: n.URL(channel), Client: w.cfg.Notify.HTTPClient}
	return "sent", wh.Send(ctx, msg)
}

func (w *Worker) countNotification(channel, result string) {
	if w.cfg.Metrics == nil {
		return
	}
	w.cfg.Metrics.Notifications.WithLabelValues(channel, result).Inc()
}
