package freshdesk_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
)

// readAll pages through Changed from since as the reconciler does and returns the ids
// read (each update once) and the pages' watermarks.
func readAll(t *testing.T, a *freshdesk.Adapter, since time.Time) (ids []string, marks []helpdesk.Watermark) {
	t.Helper()
	seen := map[string]bool{}
	wm := helpdesk.Watermark{Since: since}
	for i := 0; i < 50; i++ {
		page, err := a.Changed(context.Background(), wm)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Tickets {
			if k := ev.Ticket.ID + "@" + ev.Ticket.UpdatedAt.String(); !seen[k] {
				seen[k] = true
				ids = append(ids, ev.Ticket.ID)
			}
		}
		wm = page.Next
		marks = append(marks, wm)
		if !page.More {
			return ids, marks
		}
	}
	t.Fatal("Changed never came to an end")
	return nil, nil
}

func TestChangedRestartsPastTheSecondThatFillsThePageCap(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name             string
		fakeCap, ourCap  int
		wantOver400Pages int
	}{
		{"our cap", 2, 2, 0},
		{"the account answers 400 first", 2, 300, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := freshdeskfake.Start(t, freshdeskfake.Options{MaxPage: tt.fakeCap, Clock: func() time.Time { return base.Add(time.Hour) }})
			// Five tickets changed within one second, then two later on.
			for i := int64(1); i <= 5; i++ {
				fake.PutTicket(freshdeskfake.Ticket{ID: i, Subject: "burst", UpdatedAt: base.Add(time.Duration(i) * time.Millisecond)})
			}
			fake.PutTicket(freshdeskfake.Ticket{ID: 6, Subject: "later", UpdatedAt: base.Add(3 * time.Second)})
			fake.PutTicket(freshdeskfake.Ticket{ID: 7, Subject: "later", UpdatedAt: base.Add(4 * time.Second)})
			a := newAdapter(t, freshdesk.Config{BaseURL: fake.URL, APIKey: fake.APIKey, ListPageSize: 2, MaxListPage: tt.ourCap})
			ids, marks := readAll(t, a, base)
			// Pages 1 and 2 of the burst second, then the listing restarts a second on.
			if len(ids) < 6 || ids[0] != "1" || ids[len(ids)-2] != "6" || ids[len(ids)-1] != "7" {
				t.Errorf("read %v, want the burst's first pages, then 6 and 7", ids)
			}
			restarted := false
			for _, m := range marks {
				restarted = restarted || (m.Cursor == "" && m.Since.Equal(base.Add(time.Second)))
			}
			if !restarted {
				t.Errorf("watermarks %+v: no restart at %s", marks, base.Add(time.Second))
			}
			over := 0
			for _, r := range fake.RequestsTo(http.MethodGet, "/api/v2/tickets") {
				if r.Status == http.StatusBadRequest {
					over++
				}
				if q := r.Query["updated_since"]; len(q) != 1 || r.Query["order_by"][0] != "updated_at" || r.Query["order_type"][0] != "asc" {
					t.Errorf("list request %v", r.Query)
				}
			}
			if over != tt.wantOver400Pages {
				t.Errorf("%d requests past the cap answered 400, want %d", over, tt.wantOver400Pages)
			}
		})
	}
}

func TestTimelineTakesTheCurrentPauseFromTheStatsAndMessagesFromConversations(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := base
	fake := freshdeskfake.Start(t, freshdeskfake.Options{Clock: func() time.Time { return now },
		Contacts: []freshdeskfake.Contact{{ID: 12, Email: "max@customer.example"}}})
	fake.PutTicket(freshdeskfake.Ticket{ID: 9, Subject: "Shop", Description: "Hilfe", Status: 2, RequesterID: 12, Source: 2})
	now = base.Add(5 * time.Minute)
	fake.AddConversation(freshdeskfake.Conversation{TicketID: 9, UserID: 3, Body: "Bitte um Details"})
	tk, _ := fake.Ticket(9)
	tk.Status, tk.UpdatedAt = 3, now
	fake.PutTicket(tk)
	now = base.Add(30 * time.Minute)
	a := newAdapter(t, freshdesk.Config{BaseURL: fake.URL, APIKey: fake.APIKey})
	page, err := a.Changed(context.Background(), helpdesk.Watermark{Since: base})
	if err != nil || len(page.Tickets) != 1 {
		t.Fatalf("changed: %v %+v", err, page)
	}
	evs, err := a.Timeline(context.Background(), page.Tickets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("timeline of %d events, want creation and the reply that set pending: %+v", len(evs), evs)
	}
	if e := evs[0]; e.Ticket.Paused || e.Article == nil || e.Article.ID != "description" || !e.Ticket.UpdatedAt.Equal(base) {
		t.Errorf("creation: %+v %+v", e.Ticket, e.Article)
	}
	if e := evs[1]; !e.Ticket.Paused || e.Article == nil || e.Article.Sender != helpdesk.SenderAgent || !e.Ticket.UpdatedAt.Equal(base.Add(5*time.Minute)) {
		t.Errorf("reply and pause: %+v %+v", e.Ticket, e.Article)
	}
}

func TestBookedTimeListsTheAccountsEntriesExecutedSinceOverAllPages(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fake := freshdeskfake.Start(t, freshdeskfake.Options{Clock: func() time.Time { return base.Add(time.Hour) }})
	for _, e := range []freshdeskfake.TimeEntry{
		{TicketID: 1, TimeSpent: "00:10", ExecutedAt: base.Add(-time.Minute)}, // before since
		{TicketID: 1, TimeSpent: "00:20", ExecutedAt: base},
		{TicketID: 2, TimeSpent: "01:05", ExecutedAt: base.Add(time.Minute)},
		{TicketID: 2, TimeSpent: "00:05", ExecutedAt: base.Add(2 * time.Minute)},
	} {
		fake.AddTimeEntry(e)
	}
	a := newAdapter(t, freshdesk.Config{BaseURL: fake.URL, APIKey: fake.APIKey, ListPageSize: 2})
	var got []string
	wm := helpdesk.Watermark{Since: base}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("BookedTime never came to an end")
		}
		page, err := a.BookedTime(context.Background(), wm)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			got = append(got, e.TicketID+":"+strconv.Itoa(int(e.Minutes)))
		}
		if !page.More {
			break
		}
		wm = page.Next
	}
	if want := []string{"1:20", "2:65", "2:5"}; !slices.Equal(got, want) {
		t.Errorf("booked time %v, want %v", got, want)
	}
	for _, r := range fake.RequestsTo(http.MethodGet, "/api/v2/time_entries") {
		if q := r.Query.Get("executed_after"); q != "2026-12-01T09:00:00Z" || r.Status != http.StatusOK {
			t.Errorf("request %v answered %d", r.Query, r.Status)
		}
	}
}
