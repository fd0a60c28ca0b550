package rest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
)

var errStale = errors.New("stale")

func TestDoSortsEveryAnswerTheWayTheCallersActOnIt(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token t" || r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/ok":
			w.Write([]byte(`{"id": 7}`))
		case "/api/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/api/slow-down":
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/down":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/api/stale":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"why": "the ticket changed"}`))
		case "/api/bad":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"why": "` + strings.Repeat("x", 300) + `"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	cl := &Client{Name: "desk", Base: srv.URL + "/api", HTTP: srv.Client(), Clock: func() time.Time { return now },
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Token t") },
		Explain: func(b []byte) string {
			_, after, _ := strings.Cut(string(b), `"why": "`)
			return strings.TrimSuffix(after, `"}`)
		},
		Status: map[int]error{http.StatusConflict: errStale}}
	ctx := context.Background()

	var out struct{ ID int }
	if err := cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/ok"}, &out); err != nil || out.ID != 7 {
		t.Errorf("ok: %v %+v", err, out)
	}
	if err := cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/empty"}, &out); err != nil {
		t.Errorf("an empty 2xx answer decodes nothing: %v", err)
	}
	var re *helpdesk.RetryableError
	err := cl.Do(ctx, Call{Ticket: "5", What: "add tags", Method: "PUT", Path: "/slow-down", Body: map[string]int{"a": 1}}, nil)
	if !errors.As(err, &re) || re.Status != 429 || re.After != 90*time.Second {
		t.Errorf("429 with an HTTP date: %v %+v", err, re)
	}
	if err := cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/down"}, nil); !errors.As(err, &re) || re.After != 7*time.Second {
		t.Errorf("503 with seconds: %v", err)
	}
	err = cl.Do(ctx, Call{Ticket: "5", What: "add tags", Method: "PUT", Path: "/stale"}, nil)
	if !errors.Is(err, errStale) || err.Error() != "desk: ticket 5: add tags: 409 Conflict: the ticket changed: stale" {
		t.Errorf("409: %v", err)
	}
	if err := cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/gone"}, nil); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("404: %v", err)
	}
	err = cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/bad"}, nil)
	if errors.As(err, &re) || len(err.Error()) > 250 || !strings.Contains(err.Error(), "400 Bad Request: xxx") {
		t.Errorf("400 is final, with the explanation cut short: %v", err)
	}
	if err := (&Client{Name: "desk", NoBase: errStale}).Do(ctx, Call{What: "read"}, nil); !errors.Is(err, errStale) {
		t.Errorf("no base: %v", err)
	}
	srv.Close()
	if err := cl.Do(ctx, Call{What: "read", Method: "GET", Path: "/ok"}, nil); !errors.As(err, &re) {
		t.Errorf("a refused connection is worth retrying: %v", err)
	}
}
