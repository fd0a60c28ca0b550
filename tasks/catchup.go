package tasks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	json "github.com/goccy/go-json"
	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
)

// TypeCatchup carries the events the catch-up sync recovered for one ticket: the worker
// takes them all into the ticket's log and evaluates the ticket once, so a ticket whose
// creation and answer both were missed is never evaluated with only its creation.
const TypeCatchup = "ticket:catchup"

// Catchup is the payload of a TypeCatchup task.
type Catchup struct {
	Ticket string           `json:"ticket"`
	Events []helpdesk.Event `json:"events"`
}

// NewCatchup wraps the recovered events of one ticket (ticket key "zammad:4711") as a
// TypeCatchup task in the events queue. Its TaskID names the ticket and the events, so
// the same recovery enqueued twice (two passes overlapping) is one task.
func NewCatchup(ticketKey string, evs []helpdesk.Event) (*asynq.Task, error) {
	if ticketKey == "" || len(evs) == 0 {
		return nil, fmt.Errorf("tasks: catch-up needs a ticket and events")
	}
	payload, err := json.Marshal(Catchup{Ticket: ticketKey, Events: evs})
	if err != nil {
		return nil, fmt.Errorf("tasks: encode catch-up of %s: %w", ticketKey, err)
	}
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.DeliveryID
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, "|")))
	return asynq.NewTask(TypeCatchup, payload,
		asynq.TaskID("catchup:"+ticketKey+":"+hex.EncodeToString(sum[:8])),
		asynq.Queue(QueueEvents), asynq.MaxRetry(25), asynq.Retention(EventRetention),
	), nil
}
