// Package apitest checks HTTP handlers against openapi.yaml in tests: Do serves a request
// through echo and validates the request and the answer against the spec, and Routes fails
// when a route of the echo server is not in the spec. It is for tests only.
package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
)

var (
	loadOnce sync.Once
	spec     *openapi3.T
	router   routers.Router
	loadErr  error
)

// Spec returns openapi.yaml of the repository (found beside go.mod, walking up from the
// test's working directory), loaded and validated once per test binary; it fails the test
// when the spec cannot be found, parsed or validated.
func Spec(tb testing.TB) *openapi3.T {
	tb.Helper()
	load(tb)
	return spec
}

func load(tb testing.TB) {
	tb.Helper()
	loadOnce.Do(func() { spec, router, loadErr = loadSpec() })
	if loadErr != nil {
		tb.Fatalf("apitest: %v", loadErr)
	}
}

func loadSpec() (*openapi3.T, routers.Router, error) {
	path, err := specPath()
	if err != nil {
		return nil, nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", path, err)
	}
	// Requests in tests go to any host; match on paths only.
	doc.Servers = nil
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("route %s: %w", path, err)
	}
	return doc, r, nil
}

func specPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "openapi.yaml"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Do serves req through e and returns the recorded answer, failing the test (without
// stopping it) when the answer does not match the spec: an undocumented route or status,
// a body or header that violates its schema. A request that itself violates the spec (a
// bad input on purpose) is fine as long as the answer is a documented 4xx.
func Do(tb testing.TB, e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	load(tb)
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			tb.Fatalf("apitest: read request body: %v", err)
		}
		req.Body.Close()
	}
	check := req.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(body))
	req.Body = io.NopCloser(bytes.NewReader(body))

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)

	route, params, err := router.FindRoute(check)
	if err != nil {
		tb.Errorf("apitest: %s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
		return rec
	}
	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authenticate, MultiError: true},
	}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if reqErr != nil && (rec.Code < 400 || rec.Code >= 500) {
		tb.Errorf("apitest: %s %s: the request violates openapi.yaml, yet the answer is %d:\n%v",
			req.Method, req.URL.Path, rec.Code, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		tb.Errorf("apitest: %s %s: the %d answer violates openapi.yaml:\n%v\nbody: %s",
			req.Method, req.URL.Path, rec.Code, err, rec.Body)
	}
	return rec
}

// authenticate holds a request to the spec's security: a bearer scheme needs an
// "Authorization: Bearer …" header (whether the token is right is the server's business).
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "bearer") {
		return nil
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return errors.New("no bearer token")
	}
	return nil
}

var pathParam = regexp.MustCompile(`\{[^}]*\}|:[^/]+`)

// Routes fails the test for every route registered on e under /api/v1, and /healthz and
// /readyz, whose method and path are not in openapi.yaml.
func Routes(tb testing.TB, e *echo.Echo) {
	tb.Helper()
	doc := Spec(tb)
	inSpec := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+pathParam.ReplaceAllString(path, "{}")] = true
		}
	}
	var missing []string
	for _, r := range e.Routes() {
		if !documented(r.Path) || !standardMethod(r.Method) {
			continue
		}
		key := r.Method + " " + pathParam.ReplaceAllString(r.Path, "{}")
		if !inSpec[key] {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		tb.Errorf("apitest: route %s is registered but not in openapi.yaml", m)
	}
}

func documented(path string) bool {
	return path == "/api/v1" || strings.HasPrefix(path, "/api/v1/") || path == "/healthz" || path == "/readyz"
}

func standardMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}
