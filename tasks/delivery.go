package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-json-experiment/json/jsontext"
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
	// Buf, when set, is the buffer Body was read into, with free bytes in front of it:
	// Body is Buf's tail (see ReadBuffer). NewDelivery then writes the envelope into those
	// bytes, and the payload shares the body's memory instead of copying it. When the
	// envelope does not fit, or Body is not Buf's tail, it is copied as without Buf. The
	// task owns Buf from then on.
	Buf []byte
}

// EnvelopeRoom is the room ReadBuffer leaves in front of a body: more than an envelope
// with the helpdesks' usual ids and headers takes (about 150 bytes).
const EnvelopeRoom = 384

// ReadBuffer returns a buffer for a delivery body of up to n bytes with EnvelopeRoom free
// bytes in front: read the body into buf[EnvelopeRoom:] and pass the whole buffer as
// Delivery.Buf and the body as Delivery.Body.
func ReadBuffer(n int) []byte {
	return make([]byte, EnvelopeRoom, EnvelopeRoom+n)
}

// envelope is the first line of a delivery task's payload; the raw body follows the
// newline unchanged (no escaping, no copy into JSON). NewDelivery writes it by hand
// (appendEnvelope); ParseDelivery reads it with this struct.
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
//
// It runs once per webhook, so the payload is built in one buffer: the envelope line
// written field by field (no reflection), then the body.
func NewDelivery(d Delivery) (*asynq.Task, error) {
	if d.Helpdesk == "" || d.ID == "" || d.TicketID == "" {
		return nil, errors.New("tasks: delivery needs helpdesk, delivery id and ticket id")
	}
	return asynq.NewTask(TypeDelivery, deliveryPayload(d),
		asynq.TaskID(EventID(d.Helpdesk, d.ID)),
		asynq.Queue(QueueEvents),
		asynq.MaxRetry(25),
		asynq.Retention(EventRetention),
	), nil
}

// deliveryPayload is the envelope line followed by the body: in front of the body in
// d.Buf when it fits there (one copy of the envelope), else in a new buffer.
func deliveryPayload(d Delivery) []byte {
	if free := len(d.Buf) - len(d.Body); free > 0 && (len(d.Body) == 0 || &d.Buf[free] == &d.Body[0]) {
		var scratch [EnvelopeRoom]byte
		env := append(appendEnvelope(scratch[:0], d), '\n')
		if len(env) <= free {
			start := free - len(env)
			copy(d.Buf[start:], env)
			return d.Buf[start:]
		}
	}
	payload := make([]byte, 0, envelopeSize(d)+1+len(d.Body))
	payload = append(appendEnvelope(payload, d), '\n')
	return append(payload, d.Body...)
}

// appendEnvelope appends d's envelope as one line of JSON, keys in envelope's order and
// header names sorted. Strings are quoted as encoding/json does, except that invalid
// UTF-8 (a header can carry any byte) becomes U+FFFD instead of failing.
func appendEnvelope(b []byte, d Delivery) []byte {
	b = append(b, `{"h":`...)
	b = appendString(b, d.Helpdesk)
	b = append(b, `,"d":`...)
	b = appendString(b, d.ID)
	b = append(b, `,"t":`...)
	b = appendString(b, d.TicketID)
	b = append(b, `,"r":`...)
	b = strconv.AppendInt(b, d.ReceivedAt.UnixMilli(), 10)
	if len(d.Header) > 0 {
		b = append(b, `,"x":{`...)
		var names [4]string // the usual one or two headers sort without a heap slice
		keys := names[:0]
		for k := range d.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			vs := d.Header[k]
			if vs == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, v := range vs {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, v)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// envelopeSize is about the length of d's envelope: exact unless a string needs escapes.
func envelopeSize(d Delivery) int {
	n := len(`{"h":"","d":"","t":"","r":,"x":{}}`) + 20 + len(d.Helpdesk) + len(d.ID) + len(d.TicketID)
	for k, vs := range d.Header {
		n += len(k) + 6
		for _, v := range vs {
			n += len(v) + 3
		}
	}
	return n
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b, _ = jsontext.AppendQuote(b, s) // the error only reports invalid UTF-8, already replaced
	return b
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
