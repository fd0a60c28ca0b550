package problem

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

type sample struct {
	Name  string   `json:"name" validate:"required,max=5"`
	Count *int     `json:"count" validate:"required,gte=0"`
	Tags  []string `json:"tags" validate:"dive,required"`
}

func TestBindNamesTheBadFieldByItsJSONName(t *testing.T) {
	e := echo.New()
	e.Validator = NewValidator()
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"syntax", `{"name":`, 400, ""},
		{"unknown field", `{"name":"a","count":1,"colour":"red"}`, 400, "colour"},
		{"wrong type", `{"name":"a","count":"1"}`, 400, "count"},
		{"trailing data", `{"name":"a","count":1} {}`, 400, ""},
		{"empty", ``, 400, ""},
		{"missing", `{"count":1}`, 422, "name"},
		{"too long", `{"name":"abcdefgh","count":1}`, 422, "name"},
		{"negative", `{"name":"a","count":-1}`, 422, "count"},
		{"element", `{"name":"a","count":1,"tags":["x",""]}`, 422, "tags[1]"},
		{"too large", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			c := e.NewContext(req, httptest.NewRecorder())
			var dst sample
			err := Bind(c, &dst)
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("Bind = %v, want a *Problem", err)
			}
			if p.Status != tc.status {
				t.Errorf("status %d, want %d (%v)", p.Status, tc.status, p)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want field %q", p.Errors, tc.field)
			}
		})
	}
}

func TestErrorHandlerWritesProblemJSON(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(nil)
	e.GET("/p", func(c echo.Context) error {
		p := New(http.StatusServiceUnavailable, "redis is down")
		p.RetryAfter = 7
		return p
	})
	e.GET("/boom", func(c echo.Context) error { return errors.New("secret internals") })
	for _, tc := range []struct {
		path   string
		status int
		has    string
		hasnt  string
	}{
		{"/p", 503, `"detail":"redis is down"`, ""},
		{"/boom", 500, `"status":500`, "secret internals"},
		{"/nowhere", 404, `"title":"Not Found"`, ""},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		body := rec.Body.String()
		if rec.Code != tc.status || rec.Header().Get("Content-Type") != ContentType || !strings.Contains(body, tc.has) ||
			(tc.hasnt != "" && strings.Contains(body, tc.hasnt)) {
			t.Errorf("GET %s: %d %s %s", tc.path, rec.Code, rec.Header().Get("Content-Type"), body)
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/p", nil))
	if rec.Header().Get("Retry-After") != "7" {
		t.Errorf("Retry-After %q, want 7", rec.Header().Get("Retry-After"))
	}
}
