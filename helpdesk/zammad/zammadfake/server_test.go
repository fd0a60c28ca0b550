package zammadfake_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

func do(t *testing.T, s *zammadfake.Server, method, path, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewBufferString(body))
	if token != "" {
		req.Header.Set("Authorization", "Token token="+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestFakeAnswersWithZammadsStatusCodes(t *testing.T) {
	s := zammadfake.Start(t, zammadfake.Options{Strict: true, Tickets: []zammadfake.Ticket{{ID: 1}}})
	tests := []struct {
		method, path, token, body string
		want                      int
	}{
		{"GET", "/api/v1/users/me", "", "", 401},
		{"GET", "/api/v1/users/me", "wrong", "", 401},
		{"GET", "/api/v1/users/me", s.Token, "", 200},
		{"GET", "/api/v1/ticket_priorities", s.Token, "", 200},
		{"PUT", "/api/v1/tickets/1", s.Token, `{"priority":"3 high"}`, 200},
		{"PUT", "/api/v1/tickets/1", s.Token, `{"priority":"9 huge"}`, 422},
		{"PUT", "/api/v1/tickets/2", s.Token, `{"priority":"3 high"}`, 404},
		{"POST", "/api/v1/ticket_articles", s.Token, `{"ticket_id":1,"body":"x","type":"note","internal":true}`, 201},
		{"POST", "/api/v1/tags/add", s.Token, `{"item":"a","object":"Ticket","o_id":1}`, 201},
		{"GET", "/api/v1/tags?object=Ticket&o_id=1", s.Token, "", 200},
		{"GET", "/api/v1/tickets/1/time_accountings", s.Token, "", 200},
		{"GET", "/api/v1/tickets/2/time_accountings", s.Token, "", 404},
		{"GET", "/api/v1/nothing", s.Token, "", 404},
	}
	for _, tt := range tests {
		if got := do(t, s, tt.method, tt.path, tt.token, tt.body).StatusCode; got != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, got, tt.want)
		}
	}
	if got := len(s.Requests()); got != len(tests) {
		t.Errorf("recorded %d requests, want %d", got, len(tests))
	}
	if tags := s.Tags(1); len(tags) != 1 || tags[0] != "a" {
		t.Errorf("tags = %v", tags)
	}
}

func TestFaultsHitMatchingRequestsTheGivenNumberOfTimes(t *testing.T) {
	s := zammadfake.Start(t, zammadfake.Options{})
	s.Fail(zammadfake.Fault{Path: "/api/v1/users/me", Status: 429, RetryAfter: "3", Times: 2})
	var got []int
	for range 3 {
		got = append(got, do(t, s, "GET", "/api/v1/users/me", s.Token, "").StatusCode)
	}
	if got[0] != 429 || got[1] != 429 || got[2] != 200 {
		t.Errorf("statuses = %v, want 429 429 200", got)
	}
	if do(t, s, "GET", "/api/v1/ticket_priorities", s.Token, "").StatusCode != 200 {
		t.Error("a fault for another path hit")
	}
}

func TestHangingRequestIsReleasedByClose(t *testing.T) {
	s := zammadfake.New(zammadfake.Options{})
	s.Fail(zammadfake.Fault{Hang: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(s.URL + "/api/v1/users/me")
		if err == nil {
			resp.Body.Close()
		}
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
}

func TestWritesSendSignedWebhooksThatNameTheTokensUser(t *testing.T) {
	const secret = "hook-secret"
	a, err := zammad.New(zammad.Config{WebhookSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var updatedBy []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := a.Verify(r.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		evs, err := a.Parse(r.Header, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		updatedBy = append(updatedBy, evs[0].Ticket.UpdatedBy)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer sink.Close()
	writes := make(chan int, 4)
	s := zammadfake.New(zammadfake.Options{WebhookURL: sink.URL, WebhookSecret: secret,
		OnWrite: func(id int) { writes <- id }})
	do(t, s, "PUT", "/api/v1/tickets/5", s.Token, `{"priority":"3 high","article":{"body":"n","internal":true}}`)
	do(t, s, "POST", "/api/v1/tags/add", s.Token, `{"item":"x","object":"Ticket","o_id":5}`)
	if !s.WaitIdle(5 * time.Second) {
		t.Fatal("webhooks still in flight")
	}
	s.Close()
	hooks := s.Webhooks()
	if len(hooks) != 2 || len(writes) != 2 {
		t.Fatalf("webhooks %+v, writes %d; want 2 each", hooks, len(writes))
	}
	for _, h := range hooks {
		if h.Status != http.StatusAccepted || h.TicketID != 5 {
			t.Errorf("webhook %+v", h)
		}
	}
	for _, id := range updatedBy {
		if id != "99" {
			t.Errorf("updated_by_id = %q, want the token's user 99", id)
		}
	}
}
