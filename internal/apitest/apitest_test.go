package apitest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/apitest"
)

// recorder is a testing.TB that collects failures instead of failing, so the tests can
// assert that apitest fails where it should.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func newEcho(health echo.HandlerFunc) *echo.Echo {
	e := echo.New()
	e.GET("/healthz", health)
	return e
}

func TestDoAcceptsAnAnswerThatMatchesTheSpec(t *testing.T) {
	e := newEcho(func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	rec := apitest.Do(t, e, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestDoFailsOnAnswersTheSpecDoesNotDescribe(t *testing.T) {
	cases := []struct {
		name    string
		handler echo.HandlerFunc
		path    string
		want    string
	}{
		{"body violates the schema", func(c echo.Context) error {
			return c.JSON(http.StatusOK, map[string]any{"status": 5})
		}, "/healthz", "violates openapi.yaml"},
		{"undocumented status", func(c echo.Context) error {
			return c.JSON(http.StatusTeapot, map[string]string{"status": "ok"})
		}, "/healthz", "violates openapi.yaml"},
		{"route missing from the spec", func(c echo.Context) error {
			return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
		}, "/api/v1/not-in-spec", "not in openapi.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			e.GET(tc.path, tc.handler)
			r := &recorder{TB: t}
			apitest.Do(r, e, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if len(r.errors) == 0 || !strings.Contains(strings.Join(r.errors, "\n"), tc.want) {
				t.Fatalf("errors %q, want one saying %q", r.errors, tc.want)
			}
		})
	}
}

func TestRoutesFailsForARouteMissingFromTheSpec(t *testing.T) {
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	e := echo.New()
	e.GET("/healthz", ok)
	e.GET("/readyz", ok)
	g := e.Group("/api/v1", func(next echo.HandlerFunc) echo.HandlerFunc { return next })
	g.GET("/plans/:plan", ok) // documented as /plans/{id}: parameter names do not matter
	g.DELETE("/plans/:id", ok)
	e.GET("/metrics", ok) // outside the documented prefixes
	r := &recorder{TB: t}
	apitest.Routes(r, e)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "DELETE /api/v1/plans/:id") {
		t.Fatalf("errors %q, want exactly one for DELETE /api/v1/plans/:id", r.errors)
	}
}
