package freshdesk_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/sla"
)

const fixtureDir = "../../../shared/fixtures/freshdesk"

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func newAdapter(tb testing.TB, cfg freshdesk.Config) *freshdesk.Adapter {
	tb.Helper()
	a, err := freshdesk.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestVerifyWantsTheSharedSecretHeader(t *testing.T) {
	tests := []struct {
		name, secret, header string
		ok                   bool
	}{
		{"right secret", "s3cret", "s3cret", true},
		{"wrong secret", "s3cret", "s3creT", false},
		{"prefix of the secret", "s3cret", "s3cre", false},
		{"no header", "s3cret", "", false},
		{"no secret configured fails closed", "", "anything", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdapter(t, freshdesk.Config{WebhookSecret: tt.secret})
			h := http.Header{}
			if tt.header != "" {
				h.Set("X-Webhook-Token", tt.header)
			}
			err := a.Verify(h, fixture(t, "ticket_updated.json"))
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, helpdesk.ErrSignature)) {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestParseReadsTheRuleBodyAsAHint(t *testing.T) {
	a := newAdapter(t, freshdesk.Config{})
	evs, err := a.Parse(http.Header{}, fixture(t, "ticket_updated.json"))
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse: %v", err)
	}
	want := helpdesk.Ticket{ID: "1042", Number: "1042", Title: "VPN drops every 10 minutes since update", State: "open",
		Priority: sla.High, PriorityName: "High", Tags: []string{"vpn", "network"}, CustomerEmail: "max.kunde@customer.example"}
	if diff := cmp.Diff(want, evs[0].Ticket); diff != "" {
		t.Errorf("ticket (-want +got):\n%s", diff)
	}
	if evs[0].Trigger != "{priority:{from:2,to:3}}" || evs[0].DeliveryID == "" {
		t.Errorf("event = %+v", evs[0])
	}
	for _, body := range []string{``, `{}`, `{"freshdesk_webhook":{}}`, `{"freshdesk_webhook":{"ticket_id":"x"}}`} {
		if _, err := a.Parse(http.Header{}, []byte(body)); !errors.Is(err, helpdesk.ErrPayload) {
			t.Errorf("Parse(%s) = %v, want ErrPayload", body, err)
		}
	}
}

func account(t *testing.T) (*freshdeskfake.Server, *freshdesk.Adapter) {
	t.Helper()
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fake := freshdeskfake.Start(t, freshdeskfake.Options{
		Contacts:  []freshdeskfake.Contact{{ID: 12, Email: "max@customer.example"}},
		Companies: []freshdeskfake.Company{{ID: 5, Name: "Customer Corp"}},
		Tickets: []freshdeskfake.Ticket{{ID: 1042, Subject: "VPN", Description: "VPN drops", Status: 2, Priority: 2, Source: 2,
			Tags: []string{"vpn"}, RequesterID: 12, CompanyID: 5, CreatedAt: created, UpdatedAt: created}},
	})
	return fake, newAdapter(t, freshdesk.Config{BaseURL: fake.URL, APIKey: fake.APIKey})
}

var ticket1042 = helpdesk.TicketRef{Helpdesk: "freshdesk", ID: "1042"}

func TestReadBackIgnoresWhatTheBodyClaims(t *testing.T) {
	fake, a := account(t)
	forged := helpdesk.Event{Helpdesk: "freshdesk", DeliveryID: "d", Ticket: helpdesk.Ticket{ID: "1042", Priority: sla.Critical,
		State: "closed", Closed: true, CustomerEmail: "boss@other-customer.example", OrganizationName: "Other Corp"}}
	ev, err := a.ReadBack(context.Background(), forged)
	if err != nil {
		t.Fatal(err)
	}
	tk := ev.Ticket
	if tk.Priority != sla.Medium || tk.Closed || tk.CustomerEmail != "max@customer.example" || tk.OrganizationName != "Customer Corp" ||
		tk.Channel != helpdesk.ChannelWeb || ev.DeliveryID != "d" {
		t.Errorf("read back %+v", ev)
	}
	if ev.Article == nil || ev.Article.Sender != helpdesk.SenderCustomer || ev.Article.Body != "VPN drops" {
		t.Errorf("article = %+v, want the description as the customer's message", ev.Article)
	}
	fake.AddConversation(freshdeskfake.Conversation{TicketID: 1042, UserID: 3, Body: "On it"})
	ev, err = a.ReadBack(context.Background(), forged)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Article.PublicAgentReply() || ev.Ticket.FirstResponseAt == nil {
		t.Errorf("after an agent's reply: article %+v, first response %v", ev.Article, ev.Ticket.FirstResponseAt)
	}
	if _, err := a.ReadBack(context.Background(), helpdesk.Event{Ticket: helpdesk.Ticket{ID: "99"}}); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("a hint of a ticket that does not exist: %v, want ErrNotFound", err)
	}
}

func TestApplyMergesTagsBecauseFreshdeskReplacesThem(t *testing.T) {
	fake, a := account(t)
	w := helpdesk.Write{Priority: sla.Critical, Tags: []string{"sla-critical"}, Note: "raised: <shop> down"}
	if err := a.Apply(context.Background(), ticket1042, w); err != nil {
		t.Fatal(err)
	}
	tk, _ := fake.Ticket(1042)
	if diff := cmp.Diff([]string{"vpn", "sla-critical"}, tk.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if tk.Priority != 4 {
		t.Errorf("priority %d, want 4 (urgent)", tk.Priority)
	}
	puts := fake.RequestsTo("PUT", "/api/v2/tickets/1042")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want one for priority and tags", len(puts))
	}
	cs := fake.Conversations(1042)
	if len(cs) != 1 || !cs[0].Private || cs[0].Body != "raised: &lt;shop&gt; down" {
		t.Errorf("conversations = %+v", cs)
	}
	// Again: the tags are there, nothing to PUT for them.
	if err := a.Apply(context.Background(), ticket1042, helpdesk.Write{Tags: []string{"sla-critical"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.RequestsTo("PUT", "/api/v2/tickets/1042")); n != 1 {
		t.Errorf("%d PUTs after adding a present tag, want still 1", n)
	}
}

func TestApplyReturnsRetryAfterOn429(t *testing.T) {
	fake, a := account(t)
	fake.Fail(freshdeskfake.Fault{Method: "POST", Path: "/api/v2/tickets/1042/reply", Status: 429, RetryAfter: "30"})
	err := a.Apply(context.Background(), ticket1042, helpdesk.Write{Reply: "Danke"})
	var re *helpdesk.RetryableError
	if !errors.As(err, &re) || re.Status != 429 || re.After != 30*time.Second {
		t.Fatalf("Apply = %v, want RetryableError 429 after 30s", err)
	}
}

func TestTimeEntriesReadHoursAndMinutes(t *testing.T) {
	fake, a := account(t)
	fake.AddTimeEntry(freshdeskfake.TimeEntry{TicketID: 1042, AgentID: 3, TimeSpent: "01:30", Billable: true,
		ExecutedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)})
	es, err := a.TimeEntries(context.Background(), ticket1042)
	if err != nil || len(es) != 1 || es[0].Minutes != 90 || es[0].CreatedBy != "3" {
		t.Fatalf("TimeEntries = %+v, %v", es, err)
	}
	ev, err := a.ReadBack(context.Background(), helpdesk.Event{Ticket: helpdesk.Ticket{ID: "1042"}})
	if err != nil || len(ev.Ticket.TimeAccountingIDs) != 1 || ev.Ticket.TimeAccountingIDs[0] != es[0].ID {
		t.Fatalf("read back time ids %v (%v), want the entry's id", ev.Ticket.TimeAccountingIDs, err)
	}
}
