package zammad_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// stepClock is a clock the test moves by hand.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func catchupAdapter(t *testing.T, s *zammadfake.Server) *zammad.Adapter {
	t.Helper()
	a, err := zammad.New(zammad.Config{BaseURL: s.URL, Token: s.Token, HTTPClient: s.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readAll pages through Changed from since until the last page and returns the ticket ids
// in the order read (with the repeats paging by updated_at brings).
func readAll(t *testing.T, a *zammad.Adapter, since helpdesk.Watermark) (ids []string, last helpdesk.Watermark) {
	t.Helper()
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("Changed does not come to an end")
		}
		p, err := a.Changed(context.Background(), since)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Tickets {
			ids = append(ids, ev.Ticket.ID)
		}
		since = p.Next
		if !p.More {
			return ids, since
		}
	}
}

func TestChangedPagesThroughEveryTicketEvenWhenHundredsShareOneInstant(t *testing.T) {
	clk := &stepClock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	s := zammadfake.Start(t, zammadfake.Options{Clock: clk.Now})
	// 450 tickets in one millisecond (a bulk update), then 30 a second apart.
	for id := 1; id <= 450; id++ {
		s.Create(zammadfake.Ticket{ID: id, Title: "bulk", CustomerID: 7, CustomerEmail: "a@b.at"}, zammadfake.Article{Body: "x"})
	}
	for id := 451; id <= 480; id++ {
		clk.Add(time.Second)
		s.Create(zammadfake.Ticket{ID: id, Title: "later", CustomerID: 7, CustomerEmail: "a@b.at"}, zammadfake.Article{Body: "x"})
	}
	a := catchupAdapter(t, s)
	ids, last := readAll(t, a, helpdesk.Watermark{Since: clk.Now().Add(-time.Hour)})
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != 480 {
		t.Errorf("read %d distinct tickets, want 480", len(seen))
	}
	if !last.Since.Equal(clk.Now()) {
		t.Errorf("last watermark %v, want the newest update %v", last.Since, clk.Now())
	}
	// The search is a condition search sorted by updated_at, never a full-text query.
	req := s.RequestsTo("POST", "/api/v1/tickets/search")[0]
	body := req.BodyMap()
	if body["query"] != nil || body["sort_by"] != "updated_at" || body["order_by"] != "asc" || body["expand"] != true {
		t.Errorf("search body %v", body)
	}
	cond := body["condition"].(map[string]any)["ticket.updated_at"].(map[string]any)
	if cond["operator"] != "after (absolute)" {
		t.Errorf("condition %v", cond)
	}
}

func TestTimelineRebuildsArticlesAndPausesFromHistory(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	clk := &stepClock{now: t0}
	s := zammadfake.Start(t, zammadfake.Options{Clock: clk.Now, Users: []zammadfake.User{{ID: 5, Login: "agent"}}})
	s.Create(zammadfake.Ticket{ID: 9, Title: "Shop down", CustomerID: 7, CustomerEmail: "chef@late.at",
		OrganizationID: 3, OrganizationName: "Late GmbH"}, zammadfake.Article{Body: "Der Shop ist offline."})
	clk.Add(2 * time.Minute)
	s.AddArticle(9, zammadfake.Article{Sender: "Agent", CreatedByID: 5, Body: "Wir sehen nach."})
	clk.Add(time.Minute)
	s.Change(9, 5, func(t *zammadfake.Ticket) { t.State = "pending reminder" })
	clk.Add(4 * time.Minute)
	s.AddArticle(9, zammadfake.Article{Sender: "Customer", CreatedByID: 7, Body: "Geht wieder nicht."})
	s.Change(9, 7, func(t *zammadfake.Ticket) { t.State = "open"; t.Priority = "3 high" })
	s.AddTimeAccounting(zammadfake.TimeAccounting{TicketID: 9, TimeUnit: "15.0"})

	a := catchupAdapter(t, s)
	p, err := a.Changed(context.Background(), helpdesk.Watermark{Since: t0})
	if err != nil || len(p.Tickets) != 1 {
		t.Fatalf("Changed = %+v, %v", p, err)
	}
	cur := p.Tickets[0]
	if cur.Ticket.CustomerEmail != "chef@late.at" || cur.Ticket.OrganizationName != "Late GmbH" || cur.Ticket.State != "open" {
		t.Errorf("snapshot %+v", cur.Ticket)
	}
	evs, err := a.Timeline(context.Background(), cur)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		At       time.Duration
		State    string
		Paused   bool
		Priority string
		Article  string
		By       string
	}
	var got []step
	for _, ev := range evs {
		st := step{At: ev.Ticket.UpdatedAt.Sub(t0), State: ev.Ticket.State, Paused: ev.Ticket.Paused,
			Priority: string(ev.Ticket.Priority), By: ev.Ticket.UpdatedBy}
		if ev.Article != nil {
			st.Article = string(ev.Article.Sender) + ": " + ev.Article.Body
		}
		got = append(got, st)
		if ev.Ticket.CustomerEmail != "chef@late.at" {
			t.Errorf("event at %v lost the customer", st.At)
		}
	}
	want := []step{
		{0, "new", false, "medium", "customer: Der Shop ist offline.", "7"},
		{2 * time.Minute, "new", false, "medium", "agent: Wir sehen nach.", "5"},
		{3 * time.Minute, "pending reminder", true, "medium", "", "5"},
		{7 * time.Minute, "open", false, "high", "customer: Geht wieder nicht.", "7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if ids := evs[len(evs)-1].Ticket.TimeAccountingIDs; len(ids) != 1 {
		t.Errorf("the last event carries time-accounting ids %v, want the one entry", ids)
	}
	again, _ := a.Timeline(context.Background(), cur)
	for i := range evs {
		if evs[i].DeliveryID != again[i].DeliveryID {
			t.Errorf("delivery id %d differs between two rebuilds: %s, %s", i, evs[i].DeliveryID, again[i].DeliveryID)
		}
	}
}
