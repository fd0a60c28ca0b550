package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// /metrics names contracts in its labels: an operator can move it to an address of its own
// and require a bearer token for it.
func TestMetricsOnTheirOwnAddressBehindAToken(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"SLAGUARD_ADDR": addr, "SLAGUARD_METRICS_ADDR": metricsAddr, "SLAGUARD_METRICS_TOKEN": "scrape-token-1",
		"SLAGUARD_ADMIN_TOKENS": "test-token-123",
	}
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), &bytes.Buffer{}, &stderr) }()
	defer func() { cancel(); <-done }()
	eventually(t, 20*time.Second, "both servers listening", func() bool {
		return strings.Count(stderr.String(), `"msg":"listening"`) == 2
	})
	get := func(url, token string) int {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		url, token string
		want       int
	}{
		{"http://" + addr + "/metrics", "scrape-token-1", http.StatusNotFound},
		{"http://" + metricsAddr + "/metrics", "", http.StatusUnauthorized},
		{"http://" + metricsAddr + "/metrics", "wrong-token-1", http.StatusUnauthorized},
		{"http://" + metricsAddr + "/metrics", "scrape-token-1", http.StatusOK},
		{"http://" + addr + "/healthz", "", http.StatusOK},
	} {
		if got := get(c.url, c.token); got != c.want {
			t.Errorf("GET %s (token %q) = %d, want %d", c.url, c.token, got, c.want)
		}
	}
}
