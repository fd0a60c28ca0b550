package tasks

import (
	"errors"

	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	// The same fast encoder the Zammad parser uses: this runs on the webhook path.
	json "github.com/goccy/go-json"
	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
)

// Task types.
const (
	TypeTicketEvent = "ticket:event"
	TypeTicketCheck = "ticket:check"
	TypeWrite       = "helpdesk:write"
	TypeTimeSync    = "billing:timesync"
	// TypeNotify pushes one warning (a mark on one channel: Slack, Teams, Mattermost,
	// e-mail) to a contract's receiver.
	TypeNotify = "notify:send"
)

// Queues and their weights: events first, so a backlog of write-backs never delays the
// clocks.
const (
	QueueEvents = "events"
	QueueTimers = "timers"
	QueueWrites = "writes"
	// QueueNotify holds push notifications, apart from the helpdesk write-backs: a
	// receiver that is down or slow never delays a write-back.
	QueueNotify = "notify"
)

// TaskCheckInterval is how often an idle worker polls its queues. Each task waits for a
// poll once: asynq's default (1 s) would add up to 1.5 s to every write-back and timer;
// at 10 ms an idle worker makes about a hundred cheap Lua calls a second.
const TaskCheckInterval = 10 * time.Millisecond

// Queues is the asynq queue configuration of a worker that runs every queue in one
// server (tests); slaguard's worker runs WorkQueues and TimerQueues in two.
var Queues = map[string]int{QueueEvents: 6, QueueTimers: 3, QueueWrites: 2, QueueNotify: 1}

// WorkQueues are the queues of a worker's main server: events, write-backs and push
// notifications.
var WorkQueues = map[string]int{QueueEvents: 6, QueueWrites: 2, QueueNotify: 1}

// TimerQueues are the queues of a worker's timer server. asynq schedules in whole
// seconds, so a check starts up to a second before its instant and waits out the rest:
// mostly asleep, checks get slots of their own and never hold up events or write-backs.
var TimerQueues = map[string]int{QueueTimers: 1}

// EventRetention keeps a finished event task's TaskID taken, so a redelivery of the same
// delivery within this window is refused by asynq itself before it reaches a worker.
// Zammad retries a delivery for about 100 s; the ticket log deduplicates forever, so this
// only saves work and is kept short to keep Redis small.
const EventRetention = 2 * time.Minute

// NewEvent wraps a webhook event as a "ticket:event" task. Its TaskID is derived from
// the helpdesk and delivery id, so enqueueing a redelivery returns asynq.ErrTaskIDConflict
// (or ErrDuplicateTask) and enqueues nothing.
func NewEvent(ev helpdesk.Event) (*asynq.Task, error) {
	if ev.Helpdesk == "" || ev.DeliveryID == "" || ev.Ticket.ID == "" {
		return nil, fmt.Errorf("tasks: event needs helpdesk, delivery id and ticket id")
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("tasks: encode event: %w", err)
	}
	return asynq.NewTask(TypeTicketEvent, payload,
		asynq.TaskID(EventID(ev.Helpdesk, ev.DeliveryID)),
		asynq.Queue(QueueEvents),
		asynq.MaxRetry(25),
		asynq.Retention(EventRetention),
	), nil
}

// EventID is the TaskID of a delivery: stable across the helpdesk's retries.
func EventID(helpdeskName, deliveryID string) string {
	id := deliveryID
	if len(id) > 100 { // keep keys short; a hash is as unique
		sum := sha256.Sum256([]byte(id))
		id = hex.EncodeToString(sum[:16])
	}
	return "event:" + helpdeskName + ":" + id
}

// AlreadyQueued reports whether an enqueue failed only because the task's id is taken:
// the same task was queued before (or is retained after it ran), which is what a
// TaskID is for, so the caller has nothing more to do.
func AlreadyQueued(err error) bool {
	return errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask)
}
