package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/webhook"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// The example delivery of SOURCES.md.
const (
	fixturePath      = "../../shared/fixtures/zammad/ticket_created.json"
	fixtureSecret    = "test-token-123"
	fixtureSignature = "sha1=610d39149ffaccb4a39f3b7251492578a1283bd8"
	fixtureDelivery  = "0f5c2a8e-8c1b-4d8e-9a57-3b1f1f7c2d10"
	fixtureTrigger   = "notify-priority-service: ticket created"
)

var received = time.Date(2026, 11, 25, 9, 5, 13, 0, time.UTC)

type rig struct {
	echo    *echo.Echo
	inspect *asynq.Inspector
	reg     *prometheus.Registry
	adapter *zammad.Adapter
}

func newRig(t testing.TB, addr string, secret string, mutate func(*webhook.Config)) *rig {
	t.Helper()
	opt := asynq.RedisClientOpt{Addr: addr}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	inspect := asynq.NewInspector(opt)
	t.Cleanup(func() { inspect.Close() })
	a, err := zammad.New(zammad.Config{WebhookSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	cfg := webhook.Config{Adapters: []helpdesk.Adapter{a}, Queue: client, Registerer: reg,
		Clock: func() time.Time { return received }}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	h.Register(e)
	return &rig{echo: e, inspect: inspect, reg: reg, adapter: a}
}

func (r *rig) post(path string, body []byte, hdr http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	r.echo.ServeHTTP(rec, req)
	return rec
}

func (r *rig) queued(t testing.TB) []*asynq.TaskInfo {
	t.Helper()
	pending, err := r.inspect.ListPendingTasks(tasks.QueueEvents)
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		t.Fatal(err)
	}
	return pending
}

func (r *rig) count(helpdeskName, result string) float64 {
	mfs, _ := r.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "slaguard_webhook_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["helpdesk"] == helpdeskName && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}

func fixtureHeaders() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Zammad User Agent")
	h.Set("X-Zammad-Trigger", fixtureTrigger)
	h.Set("X-Zammad-Delivery", fixtureDelivery)
	h.Set("X-Hub-Signature", fixtureSignature)
	return h
}

func readFixture(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignedFixtureIsAcceptedAndQueued(t *testing.T) {
	r := newRig(t, redistest.Addr(t), fixtureSecret, nil)
	rec := r.post("/webhooks/zammad", readFixture(t), fixtureHeaders())
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := strings.TrimSpace(rec.Body.String()); got != `{"status":"accepted","events":1}` {
		t.Errorf("body = %s", got)
	}
	info, err := r.inspect.GetTaskInfo(tasks.QueueEvents, tasks.EventID("zammad", fixtureDelivery))
	if err != nil {
		t.Fatalf("task not in Redis: %v", err)
	}
	// The door queues the body as received; the worker parses it with the adapter.
	d, err := tasks.ParseDelivery(info.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Body, readFixture(t)) {
		t.Errorf("queued body differs from the delivered one")
	}
	evs, err := r.adapter.Parse(d.Header, d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("the queued delivery does not parse: %v %v", evs, err)
	}
	ev := evs[0]
	got := []any{info.Type, d.Helpdesk, d.ID, d.TicketID, ev.DeliveryID, ev.Trigger, ev.Ticket.ID, ev.Ticket.State, ev.Article.ID, d.ReceivedAt}
	want := []any{tasks.TypeDelivery, "zammad", fixtureDelivery, "4711", fixtureDelivery, fixtureTrigger, "4711", "new", "501", received}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queued event (-want +got):\n%s", diff)
	}
	if n := r.count("zammad", webhook.ResultAccepted); n != 1 {
		t.Errorf("accepted counter = %v", n)
	}
}

func TestRejectedDeliveriesQueueNothing(t *testing.T) {
	const secret = "s3cret"
	created := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	good := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 7, Title: "x", CreatedAt: created, UpdatedAt: created}}.JSON()
	body := func(s string) []byte { return []byte(s) }
	signed := func(body []byte) http.Header { return zammadfake.Headers(body, secret, "d-1", "t") }
	big := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 7, Title: strings.Repeat("x", 8192)}}.JSON()
	tests := []struct {
		name   string
		path   string
		body   []byte
		header http.Header
		status int
		result string
		// fields are the fields a 422 must name, each with a word of its reason.
		fields map[string]string
	}{
		{"unsigned", "/webhooks/zammad", good, zammadfake.Headers(good, "", "d-1", "t"), 401, webhook.ResultRejectedSignature, nil},
		{"signed with another secret", "/webhooks/zammad", good, zammadfake.Headers(good, "other", "d-1", "t"), 401, webhook.ResultRejectedSignature, nil},
		{"signature of another body", "/webhooks/zammad", good, signed(append([]byte(" "), good...)), 401, webhook.ResultRejectedSignature, nil},
		{"malformed JSON, signed", "/webhooks/zammad", []byte(`{"ticket":`), signed([]byte(`{"ticket":`)), 400, webhook.ResultRejectedPayload, nil},
		{"no ticket id, signed", "/webhooks/zammad", body(`{"ticket":{},"article":{}}`), signed(body(`{"ticket":{},"article":{}}`)), 422, webhook.ResultRejectedPayload,
			map[string]string{"ticket.id": "required", "ticket.created_at": "required"}},
		{"no ticket, signed", "/webhooks/zammad", body(`{"article":{}}`), signed(body(`{"article":{}}`)), 422, webhook.ResultRejectedPayload,
			map[string]string{"ticket": "required"}},
		// The case: this was a 202, a ticket "abc" created in year 1 and a write-back
		// failing 25 times.
		{"ticket id abc, signed", "/webhooks/zammad", body(`{"ticket":{"id":"abc"}}`), signed(body(`{"ticket":{"id":"abc"}}`)), 422, webhook.ResultRejectedPayload,
			map[string]string{"ticket.id": "positive whole number", "ticket.created_at": "required"}},
		{"bad times and article id, signed", "/webhooks/zammad",
			body(`{"ticket":{"id":4711,"created_at":"gestern","updated_at":17},"article":{"id":"a-1"}}`),
			signed(body(`{"ticket":{"id":4711,"created_at":"gestern","updated_at":17},"article":{"id":"a-1"}}`)), 422, webhook.ResultRejectedPayload,
			map[string]string{"ticket.created_at": "RFC 3339", "ticket.updated_at": "RFC 3339", "article.id": "positive whole number",
				"article.created_at": "required"}},
		{"created in year 1, signed", "/webhooks/zammad", body(`{"ticket":{"id":4711,"created_at":"0001-01-01T00:00:00Z"}}`),
			signed(body(`{"ticket":{"id":4711,"created_at":"0001-01-01T00:00:00Z"}}`)), 422, webhook.ResultRejectedPayload,
			map[string]string{"ticket.created_at": "required"}},
		{"oversize, signed", "/webhooks/zammad", big, signed(big), 413, webhook.ResultTooLarge, nil},
		{"unknown helpdesk", "/webhooks/otrs", good, signed(good), 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, redistest.Addr(t), secret, func(c *webhook.Config) { c.BodyLimit = 8 << 10 })
			rec := r.post(tt.path, tt.body, tt.header)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["status"] != float64(tt.status) {
				t.Errorf("problem body %s (%v)", rec.Body, err)
			}
			if q := r.queued(t); len(q) != 0 {
				t.Errorf("%d tasks queued", len(q))
			}
			if tt.fields != nil {
				var pf struct {
					Errors []struct{ Field, Reason string }
				}
				_ = json.Unmarshal(rec.Body.Bytes(), &pf)
				named := map[string]string{}
				for _, e := range pf.Errors {
					named[e.Field] = e.Reason
				}
				for f, word := range tt.fields {
					if !strings.Contains(named[f], word) {
						t.Errorf("field %s: reason %q, want one with %q (all: %s)", f, named[f], word, rec.Body)
					}
				}
				if len(named) != len(tt.fields) {
					t.Errorf("named %d fields, want %d: %s", len(named), len(tt.fields), rec.Body)
				}
			}
			if tt.result != "" {
				if n := r.count("zammad", tt.result); n != 1 {
					t.Errorf("%s counter = %v", tt.result, n)
				}
				if n := r.count("zammad", webhook.ResultAccepted); n != 0 {
					t.Errorf("accepted counter = %v", n)
				}
			}
		})
	}
}

func TestOversizeIsRefusedByContentLengthBeforeReading(t *testing.T) {
	r := newRig(t, redistest.Addr(t), "s", func(c *webhook.Config) { c.BodyLimit = 10 })
	req := httptest.NewRequest(http.MethodPost, "/webhooks/zammad", errReader{})
	req.ContentLength = 11
	rec := httptest.NewRecorder()
	r.echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", rec.Code)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the body must not be read") }

func TestSameDeliveryThreeTimesQueuesOneTask(t *testing.T) {
	r := newRig(t, redistest.Addr(t), fixtureSecret, nil)
	body := readFixture(t)
	var bodies []string
	for range 3 {
		rec := r.post("/webhooks/zammad", body, fixtureHeaders())
		if rec.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		bodies = append(bodies, strings.TrimSpace(rec.Body.String()))
	}
	want := []string{`{"status":"accepted","events":1}`, `{"status":"duplicate"}`, `{"status":"duplicate"}`}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if q := r.queued(t); len(q) != 1 {
		t.Errorf("%d tasks queued, want 1", len(q))
	}
	if n := r.count("zammad", webhook.ResultDuplicate); n != 2 {
		t.Errorf("duplicate counter = %v", n)
	}
}

func TestRedisDownAnswers503AndTheRedeliveryIsQueuedOnceRedisIsBack(t *testing.T) {
	srv := redistest.Start(t)
	r := newRig(t, srv.Addr, fixtureSecret, nil)
	body := readFixture(t)
	srv.Stop()

	rec := r.post("/webhooks/zammad", body, fixtureHeaders())
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d with Redis down: %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Retry-After"); got != "10" {
		t.Errorf("Retry-After = %q, want 10", got)
	}
	if n := r.count("zammad", webhook.ResultUnavailable); n != 1 {
		t.Errorf("unavailable counter = %v", n)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	rec = r.post("/webhooks/zammad", body, fixtureHeaders())
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d after restart: %s", rec.Code, rec.Body)
	}
	if _, err := r.inspect.GetTaskInfo(tasks.QueueEvents, tasks.EventID("zammad", fixtureDelivery)); err != nil {
		t.Fatalf("task not in Redis after restart: %v", err)
	}
}

func TestAdapterWithoutSecretNeedsInsecureMode(t *testing.T) {
	addr := redistest.Addr(t)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: addr})
	t.Cleanup(func() { client.Close() })
	a, _ := zammad.New(zammad.Config{})
	if _, err := webhook.New(webhook.Config{Adapters: []helpdesk.Adapter{a}, Queue: client}); err == nil {
		t.Fatal("New accepted an adapter without a secret")
	}
	if _, err := webhook.New(webhook.Config{Adapters: []helpdesk.Adapter{a, a}, Queue: client, Insecure: true}); err == nil {
		t.Fatal("New accepted two adapters of one name")
	}
	if _, err := webhook.New(webhook.Config{Adapters: []helpdesk.Adapter{a}, Insecure: true}); err == nil {
		t.Fatal("New accepted no queue")
	}

	r := newRig(t, addr, "", func(c *webhook.Config) { c.Insecure = true })
	now := time.Now().UTC()
	body := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 8, CreatedAt: now, UpdatedAt: now}}.JSON()
	if rec := r.post("/webhooks/zammad", body, zammadfake.Headers(body, "", "d-8", "")); rec.Code != http.StatusAccepted {
		t.Fatalf("insecure mode: status %d: %s", rec.Code, rec.Body)
	}
	// With a secret, insecure mode changes nothing: unsigned is still refused.
	r = newRig(t, addr, "s", func(c *webhook.Config) { c.Insecure = true })
	if rec := r.post("/webhooks/zammad", body, zammadfake.Headers(body, "", "d-9", "")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("insecure mode with a secret: status %d", rec.Code)
	}
}

func TestCountersOfTwoHandlersOnOneRegistryAreShared(t *testing.T) {
	reg := prometheus.NewRegistry()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: redistest.Addr(t)})
	t.Cleanup(func() { client.Close() })
	a, _ := zammad.New(zammad.Config{WebhookSecret: "s"})
	for range 2 {
		if _, err := webhook.New(webhook.Config{Adapters: []helpdesk.Adapter{a}, Queue: client, Registerer: reg}); err != nil {
			t.Fatal(err)
		}
	}
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || len(mfs[0].GetMetric()) != 6 {
		t.Errorf("gathered %v, %v; want one family with a series per result", mfs, err)
	}
}
