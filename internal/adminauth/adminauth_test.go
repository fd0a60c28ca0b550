package adminauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/problem"
)

func newEcho(tokens []string) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	g := e.Group("/api/v1", adminauth.Middleware(tokens))
	g.GET("/ping", func(c echo.Context) error { return c.String(http.StatusOK, "pong") })
	return e
}

func TestMiddlewareAdmitsOnlyConfiguredBearerTokens(t *testing.T) {
	tokens := []string{"first-token-123", "second-token-456"}
	cases := []struct {
		name   string
		tokens []string
		header string
		want   int
	}{
		{"first token", tokens, "Bearer first-token-123", http.StatusOK},
		{"second token", tokens, "Bearer second-token-456", http.StatusOK},
		{"scheme is case-insensitive", tokens, "bearer second-token-456", http.StatusOK},
		{"no header", tokens, "", http.StatusUnauthorized},
		{"wrong token", tokens, "Bearer first-token-124", http.StatusUnauthorized},
		{"prefix of a token", tokens, "Bearer first-token", http.StatusUnauthorized},
		{"token plus suffix", tokens, "Bearer first-token-1234", http.StatusUnauthorized},
		{"basic scheme", tokens, "Basic first-token-123", http.StatusUnauthorized},
		{"bearer without token", tokens, "Bearer ", http.StatusUnauthorized},
		{"no tokens configured", nil, "Bearer first-token-123", http.StatusUnauthorized},
		{"empty token configured does not admit empty", []string{""}, "Bearer ", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/ping", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			newEcho(tc.tokens).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if tc.want != http.StatusUnauthorized {
				return
			}
			if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer …", got)
			}
			if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
				t.Errorf("Content-Type = %q, want %s", ct, problem.ContentType)
			}
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["status"] != float64(401) {
				t.Errorf("body %s is not a 401 problem", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "first-token") {
				t.Errorf("the answer echoes the token: %s", rec.Body)
			}
		})
	}
}

// A named token admits with its secret only, and the request acts under its name.
func TestNamedTokensNameWhoActs(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	g := e.Group("/api/v1", adminauth.Middleware([]string{"alice:alice-token-123", "bare-token-456", "ops:x:y-token-789"}))
	g.GET("/who", func(c echo.Context) error { return c.String(http.StatusOK, adminauth.Name(c.Request().Context())) })
	for _, c := range []struct{ header, want string }{
		{"Bearer alice-token-123", "alice"},
		{"Bearer bare-token-456", "token-2"},
		{"Bearer x:y-token-789", "ops"},
		{"Bearer alice:alice-token-123", ""}, // the name is not part of the secret
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/who", nil)
		req.Header.Set("Authorization", c.header)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		got := rec.Body.String()
		if rec.Code != http.StatusOK {
			got = ""
		}
		if got != c.want {
			t.Errorf("%s: acts as %q (status %d), want %q", c.header, got, rec.Code, c.want)
		}
	}
}
