package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
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
