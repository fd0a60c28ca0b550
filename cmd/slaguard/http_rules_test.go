package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// raw sends an authorised request with a Content-Type of the test's choice.
func (s *testService) raw(method, path, contentType, body string) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A known path with a wrong method answers 405 with Allow, not 404.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	s := startService(t, serviceOptions{noWorker: true})
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodDelete, "/api/v1/plans", "GET, HEAD"},
		{http.MethodPost, "/api/v1/plans/sla1", "GET, HEAD"},
		{http.MethodPost, "/api/v1/contracts/c_abc", "DELETE, GET, HEAD, PATCH, PUT"},
		{http.MethodGet, "/api/v1/calendar/deadline", "POST"},
	} {
		resp, body := s.raw(c.method, c.path, "", "")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q (%s)", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.allow, body)
		}
	}
	if resp, _ := s.raw(http.MethodGet, "/api/v1/nothing-here", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", resp.StatusCode)
	}
}

// One rule for bodies: a body labelled as something other than JSON is 415 on every
// route (curl -d sends application/x-www-form-urlencoded); unlabelled or JSON passes.
func TestNonJSONBodiesAre415Everywhere(t *testing.T) {
	s := startService(t, serviceOptions{noWorker: true})
	deadline := `{"start":"2026-11-27T15:00:00Z","hours":8}`
	for _, c := range []struct {
		path, ct, body string
		want           int
	}{
		{"/api/v1/calendar/deadline", "application/x-www-form-urlencoded", deadline, http.StatusUnsupportedMediaType},
		{"/api/v1/calendar/deadline", "text/plain", deadline, http.StatusUnsupportedMediaType},
		{"/api/v1/calendar/deadline", "application/json", deadline, http.StatusOK},
		{"/api/v1/calendar/deadline", "", deadline, http.StatusOK},
		{"/api/v1/contracts", "application/x-www-form-urlencoded", `{}`, http.StatusUnsupportedMediaType},
	} {
		if resp, body := s.raw(http.MethodPost, c.path, c.ct, c.body); resp.StatusCode != c.want {
			t.Errorf("POST %s as %q: %d, want %d (%s)", c.path, c.ct, resp.StatusCode, c.want, body)
		}
	}
}
