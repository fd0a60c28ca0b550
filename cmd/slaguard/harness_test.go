package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const (
	testAdminToken    = "test-admin-token"
	testWebhookSecret = "test-webhook-secret"
)

// testService is a whole slaguard process (web and worker) on a real Redis, talking to a
// fake Zammad that sends its own webhooks back after each write, as real triggers do.
type testService struct {
	t      *testing.T
	app    *app
	URL    string
	Zammad *zammadfake.Server
	// Zendesk and Freshdesk run beside Zammad when serviceOptions.allHelpdesks is set.
	Zendesk   *zendeskfake.Server
	Freshdesk *freshdeskfake.Server
	cancel    context.CancelFunc
	done      chan error
	// stop ends the service (web, workers, fake Zammad); Cleanup calls it too.
	stop func()
	// env is the service's configuration, for processes the test starts itself.
	env map[string]string
	// workers are the extra worker processes (serviceOptions.workers).
	workers []*app
}

type serviceOptions struct {
	redisAddr string // "" = the package's shared server, emptied
	redisURL  string // a REDIS_URL of the test's own (sentinel, cluster); wins over redisAddr
	workers   int    // extra worker processes on the same Redis
	noWorker  bool   // web only: the test runs the worker itself
	// webProcs and workerProcs start `slaguard web` and `slaguard worker` as processes of
	// their own (procs_test.go); with webProcs the service's URL balances over them.
	webProcs, workerProcs int
	env                   map[string]string
	clock                 func() time.Time // the service clock; nil is clocktest.Clock()
	log                   io.Writer        // also gets the service's log (JSON lines), when set
	// allHelpdesks serves Zendesk and Freshdesk (fakes) from the same process as Zammad.
	allHelpdesks bool
	// notifyClient and smtpTLS reach the test's fake notification receivers.
	notifyClient *http.Client
	smtpTLS      *tls.Config
}

func startService(t *testing.T, opt serviceOptions) *testService {
	t.Helper()
	redisURL := opt.redisURL
	if redisURL == "" {
		if opt.redisAddr == "" {
			opt.redisAddr = redistest.Addr(t)
		}
		redisURL = "redis://" + opt.redisAddr + "/0"
	}
	if opt.clock == nil {
		opt.clock = clocktest.Clock()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	z := zammadfake.Start(t, zammadfake.Options{
		WebhookURL: url + "/webhooks/zammad", WebhookSecret: testWebhookSecret, Clock: opt.clock,
	})
	env := map[string]string{
		"REDIS_URL":                 redisURL,
		"SLAGUARD_ADMIN_TOKENS":     testAdminToken,
		"ZAMMAD_URL":                z.URL,
		"ZAMMAD_TOKEN":              z.Token,
		"ZAMMAD_WEBHOOK_SECRET":     testWebhookSecret,
		"SLAGUARD_TIMER_INTERVAL":   "100ms",
		"SLAGUARD_SHUTDOWN_TIMEOUT": "5s",
		// The catch-up's start pass would read the fake while a test fills it; the
		// catch-up tests turn it on themselves.
		"SLAGUARD_RECONCILE_INTERVAL": "0",
	}
	var zd *zendeskfake.Server
	var fd *freshdeskfake.Server
	if opt.allHelpdesks {
		zd = zendeskfake.Start(t, zendeskfake.Options{WebhookURL: url + "/webhooks/zendesk",
			WebhookSecret: testWebhookSecret, Clock: opt.clock})
		fd = freshdeskfake.Start(t, freshdeskfake.Options{WebhookURL: url + "/webhooks/freshdesk",
			WebhookSecret: testWebhookSecret, Clock: opt.clock})
		env["ZENDESK_URL"], env["ZENDESK_EMAIL"], env["ZENDESK_TOKEN"] = zd.URL, zd.Email, zd.Token
		env["ZENDESK_WEBHOOK_SECRET"] = testWebhookSecret
		env["FRESHDESK_URL"], env["FRESHDESK_API_KEY"] = fd.URL, fd.APIKey
		env["FRESHDESK_WEBHOOK_SECRET"] = testWebhookSecret
	}
	for k, v := range opt.env {
		env[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := testLogger(t)
	if opt.log != nil {
		log = slog.New(slog.NewJSONHandler(opt.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &testService{t: t, URL: url, Zammad: z, Zendesk: zd, Freshdesk: fd, cancel: cancel, done: make(chan error, 1+opt.workers), env: env}
	a, err := newApp(cfg, log, appOptions{httpClient: z.Client(), clock: opt.clock, notifyClient: opt.notifyClient, smtpTLS: opt.smtpTLS})
	if err != nil {
		t.Fatal(err)
	}
	s.app = a
	if err := a.buildParts(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.discoverSelf(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.mountAll(); err != nil {
		t.Fatal(err)
	}
	procs := s.startProcesses(opt)
	handler := http.Handler(a.echo)
	if len(procs.web) > 0 {
		handler = procs.balancer()
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	if opt.noWorker {
		s.done <- nil
	} else {
		go func() { s.done <- a.runWorker(ctx) }()
	}
	for i := 0; i < opt.workers; i++ {
		w, err := newApp(cfg, log, appOptions{httpClient: z.Client(), clock: opt.clock, notifyClient: opt.notifyClient, smtpTLS: opt.smtpTLS})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.buildParts(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.discoverSelf(ctx); err != nil {
			t.Fatal(err)
		}
		s.workers = append(s.workers, w)
		go func() { s.done <- w.runWorker(ctx); w.Close() }()
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			for i := 0; i < 1+opt.workers; i++ {
				<-s.done
			}
			procs.stop()
			srv.Close()
			a.Close()
			z.Close()
			if zd != nil {
				zd.Close()
				fd.Close()
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

// testLogger keeps the service's log out of the test output unless -v and a failure.
func testLogger(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() && testing.Verbose() {
			mu.Lock()
			os.Stderr.Write(buf.Bytes())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// api calls the admin API and decodes the JSON answer into out (if not nil).
func (s *testService) api(method, path string, body any, out any) int {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}

// deliver posts a signed Zammad webhook of p and returns the status.
func (s *testService) deliver(p zammadfake.Payload, delivery string) int {
	s.t.Helper()
	body := p.JSON()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/zammad", bytes.NewReader(body))
	req.Header = zammadfake.Headers(body, testWebhookSecret, delivery, "slaguard: any change")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// eventually polls cond until it holds or the limit passes (the clocks of these tests
// run on seconds-long targets, so the waits are real but short).
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for: %s", limit, what)
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

var _ = httptest.NewRecorder
var _ = strings.TrimSpace
