package zammad_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/sla"
)

var ticket4711 = helpdesk.TicketRef{Helpdesk: "zammad", ID: "4711"}

func fakeWithTicket(t *testing.T, opt zammadfake.Options) *zammadfake.Server {
	t.Helper()
	opt.Tickets = append(opt.Tickets, zammadfake.Ticket{ID: 4711, Title: "VPN", State: "open",
		CustomerID: 12, CustomerEmail: "max.kunde@customer.example"})
	return zammadfake.Start(t, opt)
}

func adapterFor(t *testing.T, fake *zammadfake.Server, cfg zammad.Config) *zammad.Adapter {
	t.Helper()
	cfg.BaseURL, cfg.Token = fake.URL, fake.Token
	return newAdapter(t, cfg)
}

// calls lists "METHOD path" of every request the fake received.
func calls(fake *zammadfake.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestApplyWritesPriorityAndNoteInOnePut(t *testing.T) {
	fake := fakeWithTicket(t, zammadfake.Options{})
	a := adapterFor(t, fake, zammad.Config{})
	err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Priority: sla.High, Note: "raised to high: outage"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if diff := cmp.Diff([]string{"PUT /api/v1/tickets/4711"}, calls(fake)); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	want := map[string]any{"priority": "3 high", "article": map[string]any{"subject": "slaguard",
		"body": "raised to high: outage", "internal": true, "type": "note", "content_type": "text/plain"}}
	if diff := cmp.Diff(want, reqs[0].BodyMap()); diff != "" {
		t.Errorf("PUT body (-want +got):\n%s", diff)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Token token="+fake.Token {
		t.Errorf("Authorization = %q", got)
	}
	tk, _ := fake.Ticket(4711)
	arts := fake.Articles(4711)
	if tk.Priority != "3 high" || len(arts) != 1 || !arts[0].Internal || tk.UpdatedByID != zammadfake.DefaultMe.ID {
		t.Errorf("ticket = %+v, articles = %+v", tk, arts)
	}
}

func TestApplyWritesEachPartTheWayZammadNeedsIt(t *testing.T) {
	tests := []struct {
		name      string
		cfg       zammad.Config
		write     helpdesk.Write
		wantCalls []string
		wantTags  []string
		check     func(t *testing.T, fake *zammadfake.Server)
	}{
		{
			name: "note alone is a PUT with only the article", write: helpdesk.Write{Note: "at risk"},
			wantCalls: []string{"PUT /api/v1/tickets/4711"},
			check: func(t *testing.T, fake *zammadfake.Server) {
				body := fake.Requests()[0].BodyMap()
				if _, ok := body["priority"]; ok {
					t.Errorf("PUT carries a priority: %v", body)
				}
			},
		},
		{
			name: "tags one request each, before the PUT", write: helpdesk.Write{Tags: []string{"sla-at-risk", "sla-breached"}, Priority: sla.Low},
			wantCalls: []string{"POST /api/v1/tags/add", "POST /api/v1/tags/add", "PUT /api/v1/tickets/4711"},
			wantTags:  []string{"sla-at-risk", "sla-breached"},
			check: func(t *testing.T, fake *zammadfake.Server) {
				want := map[string]any{"item": "sla-at-risk", "object": "Ticket", "o_id": float64(4711)}
				if diff := cmp.Diff(want, fake.Requests()[0].BodyMap()); diff != "" {
					t.Errorf("tag body (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "critical without a critical priority is high plus the tag", write: helpdesk.Write{Priority: sla.Critical},
			wantCalls: []string{"POST /api/v1/tags/add", "PUT /api/v1/tickets/4711"},
			wantTags:  []string{zammad.CriticalTag},
			check: func(t *testing.T, fake *zammadfake.Server) {
				if tk, _ := fake.Ticket(4711); tk.Priority != "3 high" {
					t.Errorf("priority = %q", tk.Priority)
				}
			},
		},
		{
			// sla's correction to critical carries the tag itself (the critical mark then none):
			// one tags/add, not a second one for the tag the priority implies.
			name: "critical with its tag adds the tag once", write: helpdesk.Write{Priority: sla.Critical, Tags: []string{sla.CriticalTag}},
			wantCalls: []string{"POST /api/v1/tags/add", "PUT /api/v1/tickets/4711"},
			wantTags:  []string{zammad.CriticalTag},
		},
		{
			name: "critical with a critical priority is written as itself",
			cfg:  zammad.Config{CriticalPriorityName: "4 critical"}, write: helpdesk.Write{Priority: sla.Critical},
			wantCalls: []string{"PUT /api/v1/tickets/4711"},
			check: func(t *testing.T, fake *zammadfake.Server) {
				if tk, _ := fake.Ticket(4711); tk.Priority != "4 critical" {
					t.Errorf("priority = %q", tk.Priority)
				}
			},
		},
		{
			name:      "public reply is an outgoing e-mail to the customer",
			write:     helpdesk.Write{Reply: "We have your request.", ReplySubject: "Your request"},
			wantCalls: []string{"GET /api/v1/tickets/4711", "GET /api/v1/users/12", "POST /api/v1/ticket_articles"},
			check: func(t *testing.T, fake *zammadfake.Server) {
				want := map[string]any{"ticket_id": float64(4711), "subject": "Your request", "body": "We have your request.",
					"internal": false, "type": "email", "sender": "Agent", "to": "max.kunde@customer.example",
					"content_type": "text/plain"}
				if diff := cmp.Diff(want, fake.Requests()[2].BodyMap()); diff != "" {
					t.Errorf("article body (-want +got):\n%s", diff)
				}
				if r := fake.Requests()[2]; r.Status != http.StatusCreated {
					t.Errorf("status = %d", r.Status)
				}
			},
		},
		{
			name:      "a reply with a known address is one request",
			write:     helpdesk.Write{Reply: "We have your request.", ReplySubject: "Your request", ReplyTo: "office@example.at"},
			wantCalls: []string{"POST /api/v1/ticket_articles"},
			check: func(t *testing.T, fake *zammadfake.Server) {
				if to := fake.Requests()[0].BodyMap()["to"]; to != "office@example.at" {
					t.Errorf("to = %v", to)
				}
			},
		},
		{
			name: "empty write sends nothing", write: helpdesk.Write{Tags: []string{" "}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := zammadfake.Options{}
			if tt.cfg.CriticalPriorityName != "" {
				opt.Priorities = append(append([]zammadfake.Priority{}, zammadfake.DefaultPriorities...),
					zammadfake.Priority{ID: 4, Name: tt.cfg.CriticalPriorityName, Active: true})
			}
			fake := fakeWithTicket(t, opt)
			if err := adapterFor(t, fake, tt.cfg).Apply(context.Background(), ticket4711, tt.write); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantCalls, calls(fake)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTags, fake.Tags(4711)); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, fake)
			}
		})
	}
}

func TestApplyClassifiesFailures(t *testing.T) {
	httpDate := time.Date(2026, 11, 25, 10, 0, 30, 0, time.UTC)
	tests := []struct {
		name      string
		fault     *zammadfake.Fault
		strict    bool
		token     string
		timeout   time.Duration
		retryable bool
		after     time.Duration
		notFound  bool
		msg       string
	}{
		{name: "429 with seconds", fault: &zammadfake.Fault{Status: 429, RetryAfter: "7"}, retryable: true, after: 7 * time.Second,
			msg: `zammad: ticket 4711: add tag "x": 429`},
		{name: "429 with an HTTP date", fault: &zammadfake.Fault{Status: 429, RetryAfter: httpDate.Format(http.TimeFormat)},
			retryable: true, after: 30 * time.Second},
		{name: "503", fault: &zammadfake.Fault{Status: 503}, retryable: true},
		{name: "500", fault: &zammadfake.Fault{Status: 500, RetryAfter: "junk"}, retryable: true},
		{name: "hang until the client gives up", fault: &zammadfake.Fault{Hang: true}, timeout: 100 * time.Millisecond, retryable: true},
		{name: "unknown ticket", strict: true, notFound: true, msg: `zammad: ticket 4712: add tag "x": 404`},
		{name: "wrong token", token: "wrong", msg: "401"},
		{name: "422 is not retryable", fault: &zammadfake.Fault{Status: 422}, msg: "422"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := zammadfake.Start(t, zammadfake.Options{Strict: tt.strict,
				Tickets: []zammadfake.Ticket{{ID: 4711}}})
			if tt.fault != nil {
				fake.Fail(*tt.fault)
			}
			cfg := zammad.Config{BaseURL: fake.URL, Token: fake.Token,
				Clock: func() time.Time { return httpDate.Add(-30 * time.Second) }}
			if tt.token != "" {
				cfg.Token = tt.token
			}
			if tt.timeout > 0 {
				cfg.HTTPClient = &http.Client{Timeout: tt.timeout}
			}
			ref := ticket4711
			if tt.notFound {
				ref.ID = "4712"
			}
			err := newAdapter(t, cfg).Apply(context.Background(), ref, helpdesk.Write{Tags: []string{"x"}})
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			var re *helpdesk.RetryableError
			if got := errors.As(err, &re); got != tt.retryable {
				t.Fatalf("retryable = %v, want %v (%v)", got, tt.retryable, err)
			}
			if tt.retryable && re.After != tt.after {
				t.Errorf("After = %v, want %v", re.After, tt.after)
			}
			if got := errors.Is(err, helpdesk.ErrNotFound); got != tt.notFound {
				t.Errorf("ErrNotFound = %v, want %v (%v)", got, tt.notFound, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestApplyRejectsForeignTicketRefs(t *testing.T) {
	a := newAdapter(t, zammad.Config{BaseURL: "http://127.0.0.1:1"})
	for _, ref := range []helpdesk.TicketRef{{Helpdesk: "zendesk", ID: "1"}, {ID: "abc"}, {ID: "-3"}, {}} {
		if err := a.Apply(context.Background(), ref, helpdesk.Write{Note: "x"}); err == nil {
			t.Errorf("Apply(%+v) succeeded", ref)
		}
	}
}

func TestTimeEntriesReadsDecimalStringUnits(t *testing.T) {
	created := at("2026-11-25T15:00:00Z")
	fake := zammadfake.Start(t, zammadfake.Options{TimeAccountings: []zammadfake.TimeAccounting{
		{ID: 77, TicketID: 4711, ArticleID: 504, TimeUnit: "15.0", TypeID: 4, CreatedByID: 3, CreatedAt: created},
		{ID: 78, TicketID: 4711, TimeUnit: "7.5", CreatedByID: 3, CreatedAt: created.Add(time.Hour)},
	}})
	got, err := adapterFor(t, fake, zammad.Config{}).TimeEntries(context.Background(), ticket4711)
	if err != nil {
		t.Fatal(err)
	}
	want := []helpdesk.TimeEntry{
		{ID: "77", TicketID: "4711", ArticleID: "504", Minutes: 15, TypeID: "4", CreatedBy: "3", CreatedAt: created, UpdatedAt: created},
		{ID: "78", TicketID: "4711", Minutes: 7.5, CreatedBy: "3", CreatedAt: created.Add(time.Hour), UpdatedAt: created.Add(time.Hour)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TimeEntries (-want +got):\n%s", diff)
	}
	_, err = adapterFor(t, fake, zammad.Config{}).TimeEntries(context.Background(), helpdesk.TicketRef{ID: "1"})
	if !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("TimeEntries of an unknown ticket = %v, want ErrNotFound", err)
	}
}

func TestMeIsTheTokensUser(t *testing.T) {
	fake := zammadfake.Start(t, zammadfake.Options{Me: zammadfake.User{ID: 314, Login: "slaguard"}})
	id, err := adapterFor(t, fake, zammad.Config{}).Me(context.Background())
	if err != nil || id != "314" {
		t.Fatalf("Me = %q, %v; want 314", id, err)
	}
}

func TestDiscoverPrioritiesAdoptsTheInstancesCriticalPriority(t *testing.T) {
	prios := append(append([]zammadfake.Priority{}, zammadfake.DefaultPriorities...),
		zammadfake.Priority{ID: 4, Name: "4 urgent", Active: true})
	fake := fakeWithTicket(t, zammadfake.Options{Priorities: prios})
	a := adapterFor(t, fake, zammad.Config{})
	name, err := a.DiscoverPriorities(context.Background())
	if err != nil || name != "4 urgent" {
		t.Fatalf("DiscoverPriorities = %q, %v", name, err)
	}
	if err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Priority: sla.Critical}); err != nil {
		t.Fatal(err)
	}
	if tk, _ := fake.Ticket(4711); tk.Priority != "4 urgent" || len(fake.Tags(4711)) != 0 {
		t.Errorf("priority %q, tags %v", tk.Priority, fake.Tags(4711))
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []zammad.Config{
		{BaseURL: "helpdesk.example"},
		{BaseURL: "ftp://helpdesk.example"},
		{Priorities: map[string]sla.Priority{"1 low": sla.Low}},
		{Priorities: map[string]sla.Priority{"1 low": sla.Low, "2": sla.Medium, "3": sla.High, "x": "huge"}},
	} {
		if _, err := zammad.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
