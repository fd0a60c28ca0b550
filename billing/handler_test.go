package billing

import (
	"bytes"
	"context"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/internal/problem"
)

func testEcho(t *testing.T, l *Ledger) *echo.Echo {
	e := echo.New()
	e.Validator = problem.NewValidator()
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	g := e.Group("/api/v1")
	NewHandler(HandlerConfig{Ledger: l, Clock: func() time.Time { return vie(2026, 11, 25, 10, 0) },
		ContractExists: func(_ context.Context, id string) (bool, error) {
			return id == "c_bakery" || id == "c_joinery", nil
		}}).Register(g)
	return e
}

func get(t *testing.T, e *echo.Echo, method, path, accept string) *httptest.ResponseRecorder {
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
	for _, tc := range []struct {
		name, method, path, accept string
		status                     int
		contentType, contains      string
	}{
		{"json of all", "GET", "/api/v1/billing/2026-10", "", 200, "application/json", `"amount_cents": 44000`},
		{"csv by accept", "GET", "/api/v1/billing/2026-10", "text/csv", 200, "text/csv; charset=utf-8", "Gesamtsumme;278,5;300;;440,00"},
		{"csv by query, rfc4180", "GET", "/api/v1/billing/2026-10?format=csv&dialect=rfc4180", "", 200, "text/csv; charset=utf-8", "grand total,278.5,300,,440.00"},
		{"one contract", "GET", "/api/v1/contracts/c_joinery/billing/2026-10?format=csv", "", 200, "text/csv; charset=utf-8", "Summe;68,5;90;;144,00"},
		{"unknown contract", "GET", "/api/v1/contracts/c_nope/billing/2026-10", "", 404, problem.ContentType, "c_nope"},
		{"bad month", "GET", "/api/v1/billing/2026-13", "", 400, problem.ContentType, `"field":"month"`},
		{"bad format", "GET", "/api/v1/billing/2026-10?format=xlsx", "", 400, problem.ContentType, `"field":"format"`},
		{"bad dialect", "GET", "/api/v1/billing/2026-10?format=csv&dialect=semicolon", "", 400, problem.ContentType, `"field":"dialect"`},
		{"close the current month", "POST", "/api/v1/billing/2026-11/close", "", 409, problem.ContentType, "not over"},
		{"close a past month", "POST", "/api/v1/billing/2026-10/close", "", 200, "application/json", `"closed": true`},
		{"a closed month says so", "GET", "/api/v1/billing/2026-10", "", 200, "application/json", `"closed": true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, e, tc.method, tc.path, tc.accept)
			if rec.Code != tc.status || rec.Header().Get("Content-Type") != tc.contentType || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Errorf("%s %s: %d %s\n%s\nwant %d %s containing %q", tc.method, tc.path, rec.Code,
					rec.Header().Get("Content-Type"), rec.Body, tc.status, tc.contentType, tc.contains)
			}
		})
	}
	rec := get(t, e, "GET", "/api/v1/billing/2026-10?format=csv", "")
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "slaguard-regie-2026-10.csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !bytes.HasPrefix(rec.Body.Bytes(), []byte("\uFEFF")) {
		t.Errorf("the Excel CSV has no BOM")
	}
}

func TestExportCLI(t *testing.T) {
	l := newTestLedger(t)
	october(t, l)
	var out bytes.Buffer
	if err := RunExportCLI(context.Background(), []string{"export", "--month", "2026-10", "--contract", "c_joinery", "--dialect", "rfc4180"}, l, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "c_joinery,Tischlerei Holz & Co,,,,total,68.5,90,,144.00") || strings.Contains(out.String(), "c_bakery") {
		t.Errorf("CLI export:\n%s", out.String())
	}
	for _, args := range [][]string{{"export"}, {"export", "--month", "2026-10", "--format", "pdf"}, {"import"}} {
		if err := RunExportCLI(context.Background(), args, l, &out); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

var _ = http.MethodGet

func init() {
	// The schema of a CSV answer is a string: kin-openapi's own CSV decoder assumes ","
	// and would reject the Excel dialect's ";".
	openapi3filter.RegisterBodyDecoder("text/csv", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}
