package contracts_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const token = "test-admin-token"

// now is Wednesday 2026-11-25 11:00 in Vienna.
var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type server struct {
	e   *echo.Echo
	rdb *redis.Client
}

type serverOption func(*contracts.HandlerConfig)

func newServer(t *testing.T, opts ...serverOption) *server {
	t.Helper()
	rdb := redistest.Client(t)
	clock := func() time.Time { return now }
	cfg := contracts.HandlerConfig{Repo: contracts.NewRepo(rdb, clock), Clock: clock}
	for _, o := range opts {
		o(&cfg)
	}
	e := echo.New()
	e.Validator = problem.NewValidator()
	e.HTTPErrorHandler = problem.ErrorHandler(func(err error, _ echo.Context) { t.Logf("handler error: %v", err) })
	g := e.Group("/api/v1", adminauth.Middleware([]string{token}))
	contracts.NewHandler(cfg).Register(g)
	return &server{e: e, rdb: rdb}
}

// do sends an authorised request (header pairs after the body) through apitest.Do.
func (s *server) do(t *testing.T, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return apitest.Do(t, s.e, req)
}

// create posts body and fails the test unless it is created; it returns the contract.
func (s *server) create(t *testing.T, body string) map[string]any {
	t.Helper()
	rec := s.do(t, http.MethodPost, "/api/v1/contracts", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	return decodeBody(t, rec)
}

func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return m
}

// keys returns every key in Redis, to prove a refused request stored nothing.
func (s *server) keys(t *testing.T) []string {
	t.Helper()
	keys, err := s.rdb.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// contractJSON is a valid contract body with fields replaced or added by kv pairs
// (values are raw JSON; a nil value removes the field).
func contractJSON(t *testing.T, kv ...any) string {
	t.Helper()
	m := map[string]any{
		"customer":          "Example GmbH",
		"plan":              "sla1",
		"starts_on":         "2026-01-01",
		"organizations":     []string{"42", "Example GmbH"},
		"domains":           []string{"example.at"},
		"hourly_rate_cents": 12000,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(m, k)
			continue
		}
		m[k] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
