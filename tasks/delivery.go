package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"time"

	json "github.com/goccy/go-json"
	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
)

// TypeDelivery is a webhook delivery queued as received: the worker parses it (the door
// only verified and routed it) and applies its events.
const TypeDelivery = "ticket:delivery"

// Delivery is a verified webhook delivery, queued raw.
type Delivery struct {
	Helpdesk string
	helpdesk.Delivery
	ReceivedAt time.Time
	Body       []byte
}

// envelope is the first line of a delivery task's payload; the raw body follows the
// newline unchanged (no escaping, no copy into JSON).
type envelope struct {
	Helpdesk   string      `json:"h"`
	ID         string      `json:"d"`
	Ticket     string      `json:"t"`
	ReceivedAt int64       `json:"r"` // unix ms
	Header     http.Header `json:"x,omitempty"`
}

// NewDelivery wraps a verified delivery as a "ticket:delivery" task. Its TaskID is the
// delivery's identity (as NewEvent's), so a redelivery is refused by asynq with
// ErrTaskIDConflict and enqueues nothing.
func NewDelivery(d Delivery) (*asynq.Task, error) {
	if d.Helpdesk == "" || d.ID == "" || d.TicketID == "" {
		return nil, errors.New("tasks: delivery needs helpdesk, delivery id and ticket id")
	}
	head, err := json.Marshal(envelope{Helpdesk: d.Helpdesk, ID: d.ID, Ticket: d.TicketID,
		ReceivedAt: d.ReceivedAt.UnixMilli(), Header: d.Header})
	if err != nil {
		return nil, fmt.Errorf("tasks: encode delivery: %w", err)
	}
	payload := make([]byte, 0, len(head)+1+len(d.Body))
	payload = append(append(append(payload, head...), '\n'), d.Body...)
	return asynq.NewTask(TypeDelivery, payload,
		asynq.TaskID(EventID(d.Helpdesk, d.ID)),
		asynq.Queue(QueueEvents),
		asynq.MaxRetry(25),
		asynq.Retention(EventRetention),
	), nil
}

// ParseDelivery reads a "ticket:delivery" task's payload.
func ParseDelivery(payload []byte) (Delivery, error) {
	i := bytes.IndexByte(payload, '\n')
	if i < 0 {
		return Delivery{}, errors.New("tasks: delivery payload without its envelope line")
	}
	var e envelope
	if err := json.Unmarshal(payload[:i], &e); err != nil {
		return Delivery{}, fmt.Errorf("tasks: decode delivery envelope: %w", err)
	}
	if e.Header == nil {
		e.Header = http.Header{}
	}
	return Delivery{Helpdesk: e.Helpdesk, Delivery: helpdesk.Delivery{ID: e.ID, TicketID: e.Ticket, Header: e.Header},
		ReceivedAt: time.UnixMilli(e.ReceivedAt).UTC(), Body: payload[i+1:]}, nil
}
