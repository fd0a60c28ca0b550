package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/internal/redistest"
)

// webApp is the full HTTP surface on a real Redis, without a running worker.
func webApp(t *testing.T) *app {
	t.Helper()
	env := map[string]string{
		"REDIS_URL":             "redis://" + redistest.Addr(t) + "/0",
		"SLAGUARD_ADMIN_TOKENS": testAdminToken,
		"ZAMMAD_WEBHOOK_SECRET": testWebhookSecret,
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, testLogger(t), appOptions{clock: clocktest.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if err := a.buildParts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.mountAll(); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEveryRouteIsInTheSpec(t *testing.T) {
	apitest.Routes(t, webApp(t).echo)
}

func adminRequest(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	return req
}

// The worked examples of POLICY.md, asked from outside (Vienna local times in UTC).
func TestDeadlineEndpointAnswersThePolicyExamples(t *testing.T) {
	e := webApp(t).echo
	for _, tc := range []struct{ name, body, due string }{
		{"friday afternoon plus 8h", `{"start":"2026-11-27T15:00:00Z","hours":8}`, "2026-11-30T14:00:00Z"},
		{"christmas eve plus 8h", `{"start":"2026-12-24T09:00:00Z","hours":8}`, "2026-12-28T08:00:00Z"},
		{"monday plus 72h ends at closing", `{"start":"2026-11-23T07:00:00Z","hours":72}`, "2026-12-02T16:00:00Z"},
		{"easter monday", `{"start":"2026-04-03T10:00:00Z","hours":12}`, "2026-04-07T13:00:00Z"},
		{"waiting on customer", `{"start":"2026-11-23T08:00:00Z","hours":48,"pauses":[["2026-11-23T10:00:00Z","2026-11-25T13:00:00Z"]]}`, "2026-12-02T14:00:00Z"},
		{"24x7", `{"start":"2026-11-28T22:00:00Z","hours":3,"calendar":"24x7"}`, "2026-11-29T01:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := apitest.Do(t, e, adminRequest(http.MethodPost, "/api/v1/calendar/deadline", tc.body))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"due":"`+tc.due+`"`) {
				t.Errorf("got %d %s, want due %s", rec.Code, rec.Body, tc.due)
			}
		})
	}
}

func TestDeadlineEndpointNamesTheBadField(t *testing.T) {
	e := webApp(t).echo
	for _, tc := range []struct{ name, body, field string }{
		{"missing start", `{"hours":8}`, `"field":"start"`},
		{"unparsable start", `{"start":"next monday","hours":8}`, `"field":"start"`},
		{"missing hours", `{"start":"2026-11-27T15:00:00Z"}`, `"field":"hours"`},
		{"negative hours", `{"start":"2026-11-27T15:00:00Z","hours":-1}`, `"field":"hours"`},
		{"absurd hours", `{"start":"2026-11-27T15:00:00Z","hours":1e9}`, `"field":"hours"`},
		{"pause ends before it starts", `{"start":"2026-11-27T15:00:00Z","hours":8,"pauses":[["2026-11-28T10:00:00Z","2026-11-28T09:00:00Z"]]}`, `"field":"pauses[0]"`},
		{"unparsable pause", `{"start":"2026-11-27T15:00:00Z","hours":8,"pauses":[["x","2026-11-28T09:00:00Z"]]}`, `"field":"pauses[0][0]"`},
		{"unknown calendar", `{"start":"2026-11-27T15:00:00Z","hours":8,"calendar":"moon"}`, `"field":"calendar"`},
		{"unknown field", `{"start":"2026-11-27T15:00:00Z","hours":8,"tz":"UTC"}`, `"field":"tz"`},
		{"wrong type", `{"start":"2026-11-27T15:00:00Z","hours":"8"}`, `"field":"hours"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := apitest.Do(t, e, adminRequest(http.MethodPost, "/api/v1/calendar/deadline", tc.body))
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.field) ||
				rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d %s %s, want 400 problem+json naming %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.field)
			}
		})
	}
}

func TestAdminRoutesNeedTheToken(t *testing.T) {
	e := webApp(t).echo
	for _, path := range []string{"/api/v1/contracts", "/api/v1/tickets", "/admin/queues", "/admin/queues/api/queues"} {
		for _, auth := range []string{"", "Bearer wrong-token-123"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want 401", path, auth, rec.Code)
			}
		}
	}
	req := adminRequest(http.MethodGet, "/admin/queues", "")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("GET /admin/queues with the token: %d, want 200", rec.Code)
	}
}
