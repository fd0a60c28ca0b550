package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/reconcile"
	"github.com/monobunt/slaguard/tasks"
)

// manualClock is the service's and the fake Zammad's clock in the catch-up tests: it
// stands still until the test moves it, so a scenario's instants are exact and the same
// in every run. Deadlines never wait on it: the tests evaluate at the instants they set.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *manualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock on by d: deadlines come by advancing it, never by sleeping.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// catchupRig is one Redis and one fake Zammad that outlive the slaguard processes the
// test starts and stops on them. Webhooks go to a door that forwards to the running
// process and answers 503 while none runs, so what happens meanwhile is lost, as with a
// Zammad whose retries ran out.
type catchupRig struct {
	t         *testing.T
	clock     *manualClock
	redisAddr string
	Zammad    *zammadfake.Server
	Zendesk   *zendeskfake.Server
	Freshdesk *freshdeskfake.Server
	door      *httptest.Server
	handler   atomic.Pointer[http.Handler]
	app       *app
	URL       string
	stopApp   func()
}

func newCatchupRig(t *testing.T, clk *manualClock) *catchupRig {
	t.Helper()
	r := &catchupRig{t: t, clock: clk, redisAddr: redistest.Addr(t)}
	r.door = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := r.handler.Load()
		if h == nil {
			http.Error(w, "slaguard is down", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, req)
	}))
	t.Cleanup(r.door.Close)
	r.URL = r.door.URL
	r.Zammad = zammadfake.Start(t, zammadfake.Options{WebhookURL: r.door.URL + "/webhooks/zammad",
		WebhookSecret: testWebhookSecret, Clock: clk.Now, Users: []zammadfake.User{{ID: 5, Login: "agent"}}})
	r.Zendesk = zendeskfake.Start(t, zendeskfake.Options{WebhookURL: r.door.URL + "/webhooks/zendesk",
		WebhookSecret: testWebhookSecret, Clock: clk.Now, Users: []zendeskfake.User{{ID: catchupAgent, Email: "agent@agency.example", Role: "agent"}}})
	r.Freshdesk = freshdeskfake.Start(t, freshdeskfake.Options{WebhookURL: r.door.URL + "/webhooks/freshdesk",
		WebhookSecret: testWebhookSecret, Clock: clk.Now})
	t.Cleanup(func() {
		if r.stopApp != nil {
			r.stopApp()
		}
	})
	return r
}

// start runs a slaguard process (web and worker) on the rig; env adds to the defaults.
func (r *catchupRig) start(env map[string]string) {
	r.t.Helper()
	vars := map[string]string{
		"REDIS_URL": "redis://" + r.redisAddr + "/0", "SLAGUARD_ADMIN_TOKENS": testAdminToken,
		"ZAMMAD_URL": r.Zammad.URL, "ZAMMAD_TOKEN": r.Zammad.Token, "ZAMMAD_WEBHOOK_SECRET": testWebhookSecret,
		"SLAGUARD_TIMER_INTERVAL": "100ms", "SLAGUARD_SHUTDOWN_TIMEOUT": "5s",
		"SLAGUARD_RECONCILE_INTERVAL": "0", "SLAGUARD_RECONCILE_RATE": "0",
		"ZENDESK_URL": r.Zendesk.URL, "ZENDESK_EMAIL": r.Zendesk.Email, "ZENDESK_TOKEN": r.Zendesk.Token,
		"ZENDESK_WEBHOOK_SECRET": testWebhookSecret,
		"FRESHDESK_URL":          r.Freshdesk.URL, "FRESHDESK_API_KEY": r.Freshdesk.APIKey, "FRESHDESK_WEBHOOK_SECRET": testWebhookSecret,
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return vars[k] }, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(cfg, testLogger(r.t), appOptions{httpClient: r.Zammad.Client(), clock: r.clock.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := a.buildParts(ctx); err != nil {
		r.t.Fatal(err)
	}
	if err := a.discoverSelf(ctx); err != nil {
		r.t.Fatal(err)
	}
	if err := a.mountAll(); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.runWorker(ctx) }()
	var h http.Handler = a.echo
	r.handler.Store(&h)
	r.app = a
	r.stopApp = func() {
		r.handler.Store(nil)
		cancel()
		<-done
		a.Close()
		r.stopApp = nil
	}
}

// reconciler is the running process's catch-up of one helpdesk.
func (r *catchupRig) reconciler(name string) *reconcile.Reconciler {
	r.t.Helper()
	rs, err := r.app.buildReconcilers()
	if err != nil {
		r.t.Fatal(err)
	}
	for _, rc := range rs {
		if rc.Helpdesk() == name {
			return rc
		}
	}
	r.t.Fatalf("no catch-up of %s among %d", name, len(rs))
	return nil
}

// down stops the running process; webhooks meanwhile are lost.
func (r *catchupRig) down() {
	r.t.Helper()
	r.Zammad.WaitIdle(10 * time.Second)
	r.Zendesk.WaitIdle(10 * time.Second)
	r.Freshdesk.WaitIdle(10 * time.Second)
	r.settle()
	r.stopApp()
}

// settle waits until slaguard has nothing left to do: no event or write-back task pending,
// running or waiting to retry, and no webhook of the fake in flight, for a while.
func (r *catchupRig) settle() {
	r.t.Helper()
	insp := asynq.NewInspectorFromRedisClient(r.app.rdb)
	quiet := 0
	deadline := time.Now().Add(30 * time.Second)
	for quiet < 4 {
		if time.Now().After(deadline) {
			r.t.Fatal("slaguard did not settle within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
		busy := !r.Zammad.WaitIdle(0) || !r.Zendesk.WaitIdle(0) || !r.Freshdesk.WaitIdle(0)
		for _, q := range []string{tasks.QueueEvents, tasks.QueueWrites} {
			info, err := insp.GetQueueInfo(q)
			if errors.Is(err, asynq.ErrQueueNotFound) || (err != nil && strings.Contains(err.Error(), "does not exist")) {
				continue
			}
			if err != nil {
				r.t.Fatal(err)
			}
			if info.Pending+info.Active+info.Retry+info.Scheduled > 0 {
				busy = true
			}
		}
		if busy {
			quiet = 0
		} else {
			quiet++
		}
	}
}

// deliver sends p as Zammad's trigger would, through the door.
func (r *catchupRig) deliver(p zammadfake.Payload) {
	r.t.Helper()
	body := p.JSON()
	req, _ := http.NewRequest(http.MethodPost, r.URL+"/webhooks/zammad", strings.NewReader(string(body)))
	req.Header = zammadfake.Headers(body, testWebhookSecret, zammadfake.NewDeliveryID(), "slaguard: any change")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		r.t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

// api calls the admin API of the running process.
func (r *catchupRig) api(method, path string, body any, out any) int {
	r.t.Helper()
	s := &testService{t: r.t, URL: r.URL}
	return s.api(method, path, body, out)
}

// writeBacks lists what slaguard wrote to the fake, one line per write, sorted: tags
// added and removed, priorities, notes with their text, and replies by subject (a reply's
// body states the deadlines as of when it was sent).
func writeBacks(z *zammadfake.Server) []string {
	var out []string
	for _, q := range z.Requests() {
		b := q.BodyMap()
		switch {
		case q.Method == http.MethodPost && q.Path == "/api/v1/tags/add":
			out = append(out, fmt.Sprintf("%v tag+ %v", b["o_id"], b["item"]))
		case q.Method == http.MethodDelete && q.Path == "/api/v1/tags/remove":
			out = append(out, fmt.Sprintf("%v tag- %v", b["o_id"], b["item"]))
		case q.Method == http.MethodPut && strings.HasPrefix(q.Path, "/api/v1/tickets/"):
			id := strings.TrimPrefix(q.Path, "/api/v1/tickets/")
			if p, ok := b["priority"]; ok {
				out = append(out, fmt.Sprintf("%s priority %v", id, p))
			}
			if art, ok := b["article"].(map[string]any); ok {
				out = append(out, fmt.Sprintf("%s note %v", id, art["body"]))
			}
		case q.Method == http.MethodPost && q.Path == "/api/v1/ticket_articles":
			out = append(out, fmt.Sprintf("%v reply %v", b["ticket_id"], b["subject"]))
		}
	}
	sort.Strings(out)
	return out
}
