package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/problem"
)

func init() {
	// A CSV answer's schema is a string: kin-openapi's own CSV decoder assumes "," and
	// would reject the Excel dialect's ";".
	openapi3filter.RegisterBodyDecoder("text/csv", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}

func testEcho(t *testing.T, l *Ledger) *echo.Echo {
	e := echo.New()
	e.Validator = problem.NewValidator()
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	g := e.Group("/api/v1")
	NewHandler(HandlerConfig{Ledger: l, Clock: func() time.Time { return vie(2026, 11, 25, 10, 0) },
		ContractExists: func(_ context.Context, id string) (bool, error) {
			return id == "c_bakery" || id == "c_joinery", nil
		}}).Register(g)
	apitest.Routes(t, e)
	return e
}

func call(t *testing.T, e *echo.Echo, method, path, accept string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer test")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return apitest.Do(t, e, req)
}

func TestExportRoutes(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	e := testEcho(t, l)
	const csvType = "text/csv; charset=utf-8; header=present"
	for _, tc := range []struct {
		name, method, path, accept string
		status                     int
		contentType, contains      string
	}{
		{"json of all", "GET", "/api/v1/billing/2026-10", "", 200, "application/json", `"amount_cents": 44000`},
		{"json when preferred", "GET", "/api/v1/billing/2026-10", "application/json, text/csv;q=0.5", 200, "application/json", `"month": "2026-10"`},
		{"csv by accept", "GET", "/api/v1/billing/2026-10", "text/csv", 200, csvType, "total;2026-10;;;;;;;;;total;278,5;245;;440,00;;"},
		{"csv by query, rfc4180", "GET", "/api/v1/billing/2026-10?format=csv&dialect=rfc4180", "", 200, csvType, "total,2026-10,,,,,,,,,total,278.5,245,,440.00,,"},
		{"query beats accept", "GET", "/api/v1/billing/2026-10?format=json", "text/csv", 200, "application/json", `"entries"`},
		{"one contract", "GET", "/api/v1/contracts/c_joinery/billing/2026-10?format=csv", "", 200, csvType, "total;2026-10;c_joinery;Tischlerei Holz & Co;;;;;;;total;68,5;90;;144,00;;"},
		{"unknown contract", "GET", "/api/v1/contracts/c_nope/billing/2026-10", "", 404, problem.ContentType, "c_nope"},
		{"bad month", "GET", "/api/v1/billing/2026-13", "", 400, problem.ContentType, `"field":"month"`},
		{"bad month of a contract", "GET", "/api/v1/contracts/c_bakery/billing/26-10", "", 400, problem.ContentType, `"field":"month"`},
		{"bad format", "GET", "/api/v1/billing/2026-10?format=xlsx", "", 400, problem.ContentType, `"field":"format"`},
		{"bad dialect", "GET", "/api/v1/billing/2026-10?format=csv&dialect=semicolon", "", 400, problem.ContentType, `"field":"dialect"`},
		{"close the current month", "POST", "/api/v1/billing/2026-11/close", "", 409, problem.ContentType, "not over"},
		{"close a bad month", "POST", "/api/v1/billing/2026-1/close", "", 400, problem.ContentType, `"field":"month"`},
		{"close a past month", "POST", "/api/v1/billing/2026-10/close", "", 200, "application/json", `"closed":true`},
		{"close it again", "POST", "/api/v1/billing/2026-10/close", "", 200, "application/json", `"closed_at":"2026-11-25T09:00:00Z"`},
		{"a closed month says so", "GET", "/api/v1/billing/2026-10", "", 200, "application/json", `"closed": true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, e, tc.method, tc.path, tc.accept)
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != tc.contentType || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Errorf("%s %s: %d %s\n%s\nwant %d %s containing %q", tc.method, tc.path, rec.Code,
					rec.Header().Get("Content-Type"), rec.Body, tc.status, tc.contentType, tc.contains)
			}
		})
	}
	rec := call(t, e, "GET", "/api/v1/billing/2026-10?format=csv", "")
	if cd := rec.Header().Get("Content-Disposition"); cd != "attachment; filename=slaguard-regie-2026-10.csv" {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(rec.Body.Bytes(), []byte("\uFEFF")) {
		t.Errorf("the Excel CSV has no BOM")
	}
	// The answer's JSON is the export itself.
	var x Export
	if err := json.Unmarshal(call(t, e, "GET", "/api/v1/contracts/c_bakery/billing/2026-10", "").Body.Bytes(), &x); err != nil ||
		x.ContractID != "c_bakery" || len(x.Contracts) != 1 || x.Total.AmountCents != 14400+3200+12000 {
		t.Errorf("bakery export: %+v, %v", x, err)
	}
}

func TestPreferredFormat(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                 "json",
		"text/csv":                         "csv",
		"text/csv;q=0.9, application/json": "json",
		"application/json;q=0.1, text/csv": "csv",
		"text/csv;q=0, */*":                "json",
		"text/html":                        "json",
		"TEXT/CSV":                         "csv",
	} {
		if got := preferred(accept); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}
