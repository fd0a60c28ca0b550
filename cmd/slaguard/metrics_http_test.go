package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestHTTPMetricsCountEachRouteAndKeepTheLabelsBounded: repeated requests add up on their
// route and status (the children are cached after the first), and a made-up method is
// counted as OTHER instead of growing a label of its own.
func TestHTTPMetricsCountEachRouteAndKeepTheLabelsBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := echo.New()
	e.Use(httpMetrics(reg))
	e.POST("/webhooks/:helpdesk", func(c echo.Context) error { return c.NoContent(http.StatusAccepted) })
	e.Any("/any", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	do := func(method, path string) {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
	}
	for range 3 {
		do(http.MethodPost, "/webhooks/zammad")
	}
	do(http.MethodPost, "/webhooks/zendesk")
	do("BREW", "/any")
	do("FROBNICATE", "/any")
	do(http.MethodGet, "/nowhere")
	want := `
# HELP slaguard_http_requests_total HTTP requests by method, route and status.
# TYPE slaguard_http_requests_total counter
slaguard_http_requests_total{method="GET",route="unmatched",status="404"} 1
slaguard_http_requests_total{method="OTHER",route="/any",status="405"} 2
slaguard_http_requests_total{method="POST",route="/webhooks/:helpdesk",status="202"} 4
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "slaguard_http_requests_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "slaguard_http_request_seconds"); n != 3 {
		t.Errorf("%d duration series, want 3 (POST webhooks, OTHER /any, GET unmatched)", n)
	}
}
