package zendesk_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
)

// clock is a clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.now = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func catchupAccount(t *testing.T, clk *clock, opt zendeskfake.Options) (*zendeskfake.Server, *zendesk.Adapter) {
	t.Helper()
	opt.Clock = clk.Now
	opt.Users = append(opt.Users, zendeskfake.User{ID: 12, Email: "max@customer.example", Role: "end-user"},
		zendeskfake.User{ID: 3, Email: "agent@agency.example", Role: "agent"})
	fake := zendeskfake.Start(t, opt)
	return fake, newAdapter(t, zendesk.Config{BaseURL: fake.URL, Email: fake.Email, Token: fake.Token, Clock: clk.Now})
}

func TestChangedFollowsTheExportCursorAndLeavesOutTheLastMinute(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clk := &clock{now: base}
	fake, a := catchupAccount(t, clk, zendeskfake.Options{})
	for i := int64(1); i <= 3; i++ {
		clk.Set(base.Add(time.Duration(i) * time.Minute))
		fake.PutTicket(zendeskfake.Ticket{ID: i, Subject: "t", Status: "open", RequesterID: 12}, 12)
	}
	clk.Set(base.Add(3*time.Minute + 30*time.Second)) // ticket 3 changed 30 s ago
	ctx := context.Background()
	page, err := a.Changed(ctx, helpdesk.Watermark{Since: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != 2 || page.More || page.Next.Cursor == "" || page.Tickets[0].Ticket.CustomerEmail != "max@customer.example" {
		t.Fatalf("first page: %d tickets, more %v, next %+v, first %+v", len(page.Tickets), page.More, page.Next, page.Tickets)
	}
	if !page.Next.Since.Equal(base.Add(2 * time.Minute)) {
		t.Errorf("watermark %s, want ticket 2's update", page.Next.Since)
	}
	// A minute on, the cursor hands out ticket 3 and nothing read before.
	clk.Add(time.Minute)
	next, err := a.Changed(ctx, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Tickets) != 1 || next.Tickets[0].Ticket.ID != "3" {
		t.Fatalf("from the cursor: %+v", next.Tickets)
	}
	reqs := fake.RequestsTo(http.MethodGet, "/api/v2/incremental/tickets/cursor.json")
	if got := reqs[len(reqs)-1].Query["cursor"]; len(got) != 1 || got[0] != page.Next.Cursor {
		t.Errorf("second request's cursor %v, want %q", got, page.Next.Cursor)
	}
	// Zendesk answers 10 export requests a minute; the 11th is 429 with Retry-After.
	var re *helpdesk.RetryableError
	for i := 0; i < 10 && re == nil; i++ {
		_, err = a.Changed(ctx, next.Next)
		errors.As(err, &re)
	}
	if re == nil || re.Status != http.StatusTooManyRequests || re.After <= 0 || re.After > time.Minute {
		t.Errorf("the export's rate limit: %v", err)
	}
}

func TestTimelineRebuildsPausesFromTheAudits(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clk := &clock{now: base}
	fake, a := catchupAccount(t, clk, zendeskfake.Options{})
	fake.PutTicket(zendeskfake.Ticket{ID: 7, Subject: "Shop", Status: "new", Priority: "normal", RequesterID: 12, Via: "web"}, 12)
	fake.AddComment(zendeskfake.Comment{TicketID: 7, AuthorID: 12, Public: true, Body: "Hilfe", Via: "web"})
	clk.Add(5 * time.Minute)
	tk, _ := fake.Ticket(7)
	tk.Status, tk.UpdatedAt = "pending", time.Time{}
	fake.PutTicket(tk, 3)
	clk.Add(20 * time.Minute)
	fake.AddComment(zendeskfake.Comment{TicketID: 7, AuthorID: 12, Public: true, Body: "Noch offen", Via: "web"})
	tk, _ = fake.Ticket(7)
	tk.Status, tk.UpdatedAt = "open", time.Time{}
	fake.PutTicket(tk, 12)
	clk.Add(2 * time.Minute)

	page, err := a.Changed(context.Background(), helpdesk.Watermark{Since: base})
	if err != nil || len(page.Tickets) != 1 {
		t.Fatalf("changed: %v %+v", err, page)
	}
	evs, err := a.Timeline(context.Background(), page.Tickets[0])
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		at     time.Duration
		state  string
		paused bool
		by     helpdesk.Sender
	}
	var got []step
	for _, e := range evs {
		s := step{at: e.Ticket.UpdatedAt.Sub(base), state: e.Ticket.State, paused: e.Ticket.Paused}
		if e.Article != nil {
			s.by = e.Article.Sender
		}
		got = append(got, s)
	}
	want := []step{{0, "new", false, helpdesk.SenderCustomer}, {5 * time.Minute, "pending", true, ""},
		{25 * time.Minute, "open", false, helpdesk.SenderCustomer}}
	if len(got) != len(want) {
		t.Fatalf("timeline %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	again, _ := a.Timeline(context.Background(), page.Tickets[0])
	for i := range evs {
		if again[i].DeliveryID != evs[i].DeliveryID {
			t.Errorf("delivery id %d differs between two rebuilds", i)
		}
	}
}
