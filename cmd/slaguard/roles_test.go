package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// A taken port ends `slaguard serve` at once with the bind error, before it ever says
// "listening" — it used to log "listening" and wait for the worker until SIGTERM.
func TestServeExitsAtOnceWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{"SLAGUARD_ADDR": ln.Addr().String(), "SLAGUARD_ADMIN_TOKENS": "test-token-123"}
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(t.Context(), []string{"serve"}, envOf(env), &bytes.Buffer{}, &stderr) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("serve returned %v, want the bind error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve still running with its port taken; log:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), `"msg":"listening"`) {
		t.Errorf("serve logged listening on a port it could not bind:\n%s", stderr.String())
	}
}

// A clean stop says so: the log ends with what stopped and that it stopped cleanly.
func TestCleanShutdownIsLogged(t *testing.T) {
	env := map[string]string{"SLAGUARD_ADDR": "127.0.0.1:0", "SLAGUARD_ADMIN_TOKENS": "test-token-123"}
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), &bytes.Buffer{}, &stderr) }()
	eventually(t, 20*time.Second, "listening", func() bool { return strings.Contains(stderr.String(), `"msg":"listening"`) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"msg":"http server stopped"`, `"msg":"worker stopped"`, `"msg":"stopped cleanly"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, stderr.String())
		}
	}
}

// lockedBuffer is a log sink a test reads while the service writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Every way of asking for help prints the commands and every flag, and succeeds.
func TestHelpListsTheFlags(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"config", "-h"}, {"web", "-h"}, {"worker", "--help"}} {
		var out bytes.Buffer
		err := run(t.Context(), args, envOf(nil), &out, &bytes.Buffer{})
		if err != nil {
			t.Errorf("%v: %v", args, err)
		}
		for _, want := range []string{"usage: slaguard", "-addr", "SLAGUARD_ADDR", "-zammad-webhook-secret", "default 25s"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out.String())
			}
		}
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"billing", "export", "-h"}, envOf(nil), &out, &bytes.Buffer{}); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-month") {
		t.Errorf("billing export -h: %v\n%s", err, out.String())
	}
}

// Without REDIS_URL the billing export refuses before it starts an embedded Redis, and
// says how a trial run exports instead.
func TestBillingExportWithoutRedisSaysWhatToDo(t *testing.T) {
	var stderr bytes.Buffer
	err := run(t.Context(), []string{"billing", "export", "--month", "2026-11"}, envOf(nil), &bytes.Buffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL") || !strings.Contains(err.Error(), "/api/v1/billing/") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(stderr.String(), "embedded") {
		t.Errorf("an embedded Redis was started for nothing:\n%s", stderr.String())
	}
}

// A first run (no configuration at all) can receive webhooks: it generates a webhook
// secret and logs it, as it does the admin token; a webhook signed with it is accepted.
func TestFirstRunReceivesWebhooks(t *testing.T) {
	addr := freeAddr(t)
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, envOf(map[string]string{"SLAGUARD_ADDR": addr}), &bytes.Buffer{}, &stderr)
	}()
	defer func() { cancel(); <-done }()
	eventually(t, 20*time.Second, "listening", func() bool { return strings.Contains(stderr.String(), `"msg":"listening"`) })
	if strings.Contains(stderr.String(), `"level":"ERROR"`) {
		t.Errorf("a first run logs an error:\n%s", stderr.String())
	}
	secret := regexp.MustCompile(`"webhook_secret":"([^"]+)"`).FindStringSubmatch(stderr.String())
	if secret == nil {
		t.Fatalf("no webhook secret logged:\n%s", stderr.String())
	}
	body := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 9, Number: "31000009", Title: "Hallo", State: "new",
		Priority: "2 normal", CustomerEmail: "office@example.at", CreateArticleType: "email",
		CreatedAt: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}}.JSON()
	post := func(h http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/zammad", bytes.NewReader(body))
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(zammadfake.Headers(body, secret[1], "first-1", "slaguard")); code != http.StatusAccepted {
		t.Errorf("signed webhook: %d, want 202", code)
	}
	if code := post(zammadfake.Headers(body, "wrong-secret", "first-2", "slaguard")); code != http.StatusUnauthorized {
		t.Errorf("badly signed webhook: %d, want 401", code)
	}
}
