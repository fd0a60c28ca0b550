package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/tasks"
)

// Defaults of Config.
const (
	DefaultBodyLimit      = 1 << 20
	DefaultEnqueueTimeout = 5 * time.Second
	DefaultRetryAfter     = 10 // seconds
)

// Signed is implemented by adapters that can say whether they have a signing secret.
// An adapter without one is only mounted in insecure mode, where its deliveries are
// accepted unverified. Adapters that do not implement it are always verified.
type Signed interface {
	HasSecret() bool
}

// Config configures the webhook handler.
type Config struct {
	// Adapters are the helpdesks served, each at /webhooks/{Name()}.
	Adapters []helpdesk.Adapter
	// Queue enqueues the events; required.
	Queue *asynq.Client
	// BodyLimit is the largest body accepted, in bytes (413 beyond); 0 means 1 MiB.
	BodyLimit int64
	// Insecure accepts unsigned deliveries for adapters without a secret
	// (SLAGUARD_INSECURE_WEBHOOKS=1, local trials only). Adapters with a secret are
	// verified regardless.
	Insecure bool
	// EnqueueTimeout bounds the wait for Redis, well inside the helpdesk's own timeout
	// (Zammad gives up after 30 s); 0 means 5 s.
	EnqueueTimeout time.Duration
	// RetryAfter is the Retry-After (seconds) of a 503; 0 means 10.
	RetryAfter int
	// Registerer receives the deliveries counter; nil registers nothing.
	Registerer prometheus.Registerer
	// Logger gets one line per delivery; nil discards.
	Logger *slog.Logger
	// Clock stamps Event.ReceivedAt; nil means time.Now.
	Clock func() time.Time
}

// Handler serves POST /webhooks/:helpdesk.
type Handler struct {
	adapters   map[string]helpdesk.Adapter
	verify     map[string]bool
	queue      *asynq.Client
	limit      int64
	timeout    time.Duration
	retryAfter int
	counters   map[string]map[string]prometheus.Counter // helpdesk → result → its counter
	log        *slog.Logger
	clock      func() time.Time
}

// New checks cfg and returns the handler. It fails when there is no queue, when two
// adapters share a name, and when an adapter has no secret and Insecure is not set.
func New(cfg Config) (*Handler, error) {
	if cfg.Queue == nil {
		return nil, errors.New("webhook: no queue client")
	}
	h := &Handler{
		adapters: map[string]helpdesk.Adapter{}, verify: map[string]bool{}, queue: cfg.Queue,
		limit: cfg.BodyLimit, timeout: cfg.EnqueueTimeout, retryAfter: cfg.RetryAfter,
		log: cfg.Logger, clock: cfg.Clock,
	}
	for _, a := range cfg.Adapters {
		name := a.Name()
		if _, dup := h.adapters[name]; dup {
			return nil, fmt.Errorf("webhook: two adapters named %q", name)
		}
		h.adapters[name] = a
		h.verify[name] = true
		if s, ok := a.(Signed); ok && !s.HasSecret() {
			if !cfg.Insecure {
				return nil, fmt.Errorf("webhook: %s has no webhook secret; set one, or allow unsigned deliveries for local trials only", name)
			}
			h.verify[name] = false
		}
	}
	if h.limit <= 0 {
		h.limit = DefaultBodyLimit
	}
	if h.timeout <= 0 {
		h.timeout = DefaultEnqueueTimeout
	}
	if h.retryAfter <= 0 {
		h.retryAfter = DefaultRetryAfter
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.clock == nil {
		h.clock = time.Now
	}
	count, err := newDeliveries(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("webhook: register metrics: %w", err)
	}
	// Every counter exists at 0 from the start, and is looked up once, not per delivery.
	h.counters = map[string]map[string]prometheus.Counter{}
	for name := range h.adapters {
		h.counters[name] = map[string]prometheus.Counter{}
		for _, r := range results {
			h.counters[name][r] = count.WithLabelValues(name, r)
		}
	}
	return h, nil
}

// Register mounts POST /webhooks/:helpdesk on e.
func (h *Handler) Register(e *echo.Echo) {
	e.POST("/webhooks/:helpdesk", h.Serve)
}

// accepted is the body of a 202.
type accepted struct {
	Status string `json:"status"`
	Events *int   `json:"events,omitempty"`
}

// acceptedOne is the answer to a delivery of one event, encoded as echo's c.JSON would.
var acceptedOne = func() []byte {
	one := 1
	b, err := json.Marshal(accepted{Status: "accepted", Events: &one})
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}()

// Serve handles one delivery. Problems are written here, not returned, so the answer
// does not depend on the server's error handler.
func (h *Handler) Serve(c echo.Context) error {
	name := c.Param("helpdesk")
	a, ok := h.adapters[name]
	if !ok {
		return problem.Write(c, problem.New(http.StatusNotFound, "no webhook for this helpdesk"))
	}
	r := c.Request()
	if r.ContentLength > h.limit {
		return h.reject(c, name, ResultTooLarge, problem.New(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body exceeds %d bytes", h.limit)), nil)
	}
	buf, body, err := readBody(r, h.limit)
	if err != nil {
		return h.reject(c, name, ResultRejectedPayload, problem.New(http.StatusBadRequest, "the body could not be read"), err)
	}
	if int64(len(body)) > h.limit {
		return h.reject(c, name, ResultTooLarge, problem.New(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body exceeds %d bytes", h.limit)), nil)
	}
	if h.verify[name] {
		if err := a.Verify(r.Header, body); err != nil {
			return h.reject(c, name, ResultRejectedSignature, problem.New(http.StatusUnauthorized,
				"the signature is missing or wrong"), err)
		}
	}
	queued, d, err := h.tasksOf(a, r.Header, buf, body)
	if err != nil {
		return h.reject(c, name, ResultRejectedPayload, payloadProblem(err), err)
	}
	dups, err := h.enqueue(r.Context(), queued, replayGuard(a)...)
	if err != nil {
		p := problem.New(http.StatusServiceUnavailable, "the event could not be queued; deliver it again later")
		p.RetryAfter = h.retryAfter
		h.done(r.Context(), name, ResultUnavailable, d, err)
		return problem.Write(c, p)
	}
	if len(queued) > 0 && dups == len(queued) {
		h.done(r.Context(), name, ResultDuplicate, d, nil)
		return c.JSON(http.StatusAccepted, accepted{Status: "duplicate"})
	}
	h.done(r.Context(), name, ResultAccepted, d, nil)
	n := len(queued)
	if n == 1 {
		return c.JSONBlob(http.StatusAccepted, acceptedOne) // the usual answer, encoded once
	}
	return c.JSON(http.StatusAccepted, accepted{Status: "accepted", Events: &n})
}

// readBody reads up to limit+1 bytes of r's body. A body of known length is read into
// one buffer of its size (io.ReadAll would grow one from 512 bytes, copying as it goes),
// with room in front for the task's envelope (tasks.ReadBuffer): buf is that buffer, and
// body its tail. buf is nil when the body was read otherwise.
func readBody(r *http.Request, limit int64) (buf, body []byte, err error) {
	if n := r.ContentLength; n >= 0 && n <= limit {
		// One byte more than announced, so the read ends at EOF without growing the buffer.
		buf = tasks.ReadBuffer(int(n) + 1)
		b := buf[len(buf):]
		for {
			m, err := r.Body.Read(b[len(b):cap(b)])
			b = b[:len(b)+m]
			if err == io.EOF {
				return buf[:len(buf)+len(b)], b, nil
			}
			if err != nil {
				return nil, b, err
			}
			if len(b) == cap(b) { // more than announced: let the limit decide
				rest, err := io.ReadAll(io.LimitReader(r.Body, limit+1-int64(len(b))))
				return nil, append(b, rest...), err
			}
		}
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	return nil, body, err
}

// tasksOf makes the tasks of a verified delivery. An adapter that can route a delivery
// (helpdesk.Router) has it queued raw, as one task, and parsed by the worker: the door
// reads only the delivery id and the ticket. Others have it parsed here, one task per
// event. It fails when the body is not a payload the adapter understands.
func (h *Handler) tasksOf(a helpdesk.Adapter, hdr http.Header, buf, body []byte) ([]*asynq.Task, *helpdesk.Delivery, error) {
	now := h.clock().UTC()
	if rt, ok := a.(helpdesk.Router); ok {
		d, err := rt.Route(hdr, body)
		if err != nil {
			return nil, nil, err
		}
		t, err := tasks.NewDelivery(tasks.Delivery{Helpdesk: a.Name(), Delivery: d, ReceivedAt: now, Body: body, Buf: buf})
		if err != nil {
			return nil, nil, err
		}
		return []*asynq.Task{t}, &d, nil
	}
	events, err := a.Parse(hdr, body)
	if err != nil {
		return nil, nil, err
	}
	queued := make([]*asynq.Task, 0, len(events))
	for i := range events {
		events[i].ReceivedAt = now
		t, err := tasks.NewEvent(events[i])
		if err != nil {
			return nil, nil, err
		}
		queued = append(queued, t)
	}
	var d *helpdesk.Delivery
	if len(events) > 0 {
		d = &helpdesk.Delivery{ID: events[0].DeliveryID, TicketID: events[0].Ticket.ID}
	}
	return queued, d, nil
}

// enqueue queues every task and reports how many were already queued (the same delivery
// before). It stops at the first other failure; the redelivery then finds the tasks
// queued so far as duplicates.
func (h *Handler) enqueue(ctx context.Context, queued []*asynq.Task, opts ...asynq.Option) (dups int, err error) {
	// Detached from the request: a helpdesk that hangs up does not cancel an enqueue under
	// way (it is one atomic step), and the timeout's context need not register with the
	// request's.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	defer cancel()
	for _, t := range queued {
		_, err := h.queue.EnqueueContext(ctx, t, opts...)
		switch {
		case err == nil:
		case tasks.AlreadyQueued(err):
			dups++
		default:
			return dups, err
		}
	}
	return dups, nil
}

// ReplayWindowed is implemented by adapters that accept a signed delivery for a while
// after it was signed (Zendesk: five minutes). A replay inside the window verifies, so
// the delivery's task id is kept taken for the whole window: the replay is then refused
// as a duplicate instead of being queued again.
type ReplayWindowed interface {
	ReplayWindow() time.Duration
}

// replayGuard is the enqueue option that keeps a delivery's id taken for the adapter's
// replay window, when that is longer than the queue's own retention.
func replayGuard(a helpdesk.Adapter) []asynq.Option {
	if rw, ok := a.(ReplayWindowed); ok && rw.ReplayWindow() > tasks.EventRetention {
		return []asynq.Option{asynq.Retention(rw.ReplayWindow())}
	}
	return nil
}

// payloadProblem is the answer to a delivery that is no ticket event: 422 naming each
// bad field when it is JSON of the right shape (helpdesk.InvalidEvent), else 400.
func payloadProblem(err error) *problem.Problem {
	var inv *helpdesk.InvalidEvent
	if !errors.As(err, &inv) {
		return problem.New(http.StatusBadRequest, "the payload is not a ticket event this service understands")
	}
	fields := make([]problem.FieldError, len(inv.Fields))
	for i, f := range inv.Fields {
		fields[i] = problem.FieldError{Field: f.Field, Reason: f.Reason}
	}
	return problem.Fields(http.StatusUnprocessableEntity,
		"the payload is not a ticket event slaguard can act on; nothing was queued", fields...)
}

func (h *Handler) reject(c echo.Context, name, result string, p *problem.Problem, err error) error {
	h.done(c.Request().Context(), name, result, nil, err)
	return problem.Write(c, p)
}

// done counts and logs one delivery: ids and the result, never the body. Accepted and
// duplicate deliveries are the hot path: they are counted, logged only at debug level,
// and the worker logs each event it applies with the same ids. Rejections get a line.
func (h *Handler) done(ctx context.Context, name, result string, d *helpdesk.Delivery, err error) {
	h.counters[name][result].Inc() // name is a mounted helpdesk, result one of results
	level := slog.LevelDebug
	switch {
	case result == ResultUnavailable:
		level = slog.LevelError
	case err != nil:
		level = slog.LevelWarn
	case result != ResultAccepted && result != ResultDuplicate:
		level = slog.LevelInfo
	}
	if !h.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("helpdesk", name), slog.String("result", result)}
	if d != nil {
		attrs = append(attrs, slog.String("delivery_id", d.ID), slog.String("ticket_id", d.TicketID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.log.LogAttrs(ctx, level, "webhook delivery", attrs...)
}
