package zendesk_test

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
	"github.com/monobunt/slaguard/helpdesk/zendesk"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/sla"
)

const fixtureDir = "../../../shared/fixtures/zendesk"

// The example delivery of SOURCES.md: Zendesk's static test secret, used as the raw string.
const (
	fixtureSecret    = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
	fixtureTimestamp = "2026-11-25T09:05:13Z"
	fixtureSignature = "hwp40NXp4c6hOGsbpBc2HrsbNzZcvsNwOtw3wDWtl8g="
)

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func at(s string) func() time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

func newAdapter(tb testing.TB, cfg zendesk.Config) *zendesk.Adapter {
	tb.Helper()
	a, err := zendesk.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestVerifyAcceptsOnlyAFreshSignatureOfTimestampAndBody(t *testing.T) {
	body := fixture(t, "ticket_created.json")
	tests := []struct {
		name    string
		secret  string
		ts, sig string
		now     string
		body    []byte
		ok      bool
	}{
		{"fixture of SOURCES.md", fixtureSecret, fixtureTimestamp, fixtureSignature, "2026-11-25T09:06:00Z", body, true},
		{"4 minutes old", fixtureSecret, fixtureTimestamp, fixtureSignature, "2026-11-25T09:09:13Z", body, true},
		{"stale: 6 minutes old", fixtureSecret, fixtureTimestamp, fixtureSignature, "2026-11-25T09:11:14Z", body, false},
		{"from the future beyond the window", fixtureSecret, fixtureTimestamp, fixtureSignature, "2026-11-25T08:59:00Z", body, false},
		{"timestamp changed (signature then wrong)", fixtureSecret, "2026-11-25T09:05:14Z", fixtureSignature, "2026-11-25T09:06:00Z", body, false},
		{"forged: other secret", "other", fixtureTimestamp, fixtureSignature, "2026-11-25T09:06:00Z", body, false},
		{"body changed by one byte", fixtureSecret, fixtureTimestamp, fixtureSignature, "2026-11-25T09:06:00Z", append([]byte(" "), body...), false},
		{"unsigned", fixtureSecret, "", "", "2026-11-25T09:06:00Z", body, false},
		{"no timestamp", fixtureSecret, "", fixtureSignature, "2026-11-25T09:06:00Z", body, false},
		{"not base64", fixtureSecret, fixtureTimestamp, "!!!", "2026-11-25T09:06:00Z", body, false},
		{"no secret configured fails closed", "", fixtureTimestamp, fixtureSignature, "2026-11-25T09:06:00Z", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdapter(t, zendesk.Config{WebhookSecret: tt.secret, Clock: at(tt.now)})
			h := http.Header{}
			if tt.ts != "" {
				h.Set("X-Zendesk-Webhook-Signature-Timestamp", tt.ts)
			}
			if tt.sig != "" {
				h.Set("X-Zendesk-Webhook-Signature", tt.sig)
			}
			err := a.Verify(h, tt.body)
			if tt.ok && err != nil {
				t.Fatalf("Verify: %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, helpdesk.ErrSignature) {
				t.Fatalf("Verify: %v, want ErrSignature", err)
			}
		})
	}
}

func TestParseReadsTheTriggerBodyAndTheEventSubscription(t *testing.T) {
	a := newAdapter(t, zendesk.Config{})
	created := time.Date(2026, 11, 25, 9, 5, 12, 0, time.UTC)
	updated := time.Date(2026, 11, 25, 14, 23, 0, 0, time.UTC)
	tests := []struct {
		file     string
		ticket   helpdesk.Ticket
		delivery string
		article  bool
	}{
		{"trigger_ticket_updated.json", helpdesk.Ticket{ID: "35436", Number: "35436", State: "open",
			Priority: sla.High, PriorityName: "high", Tags: []string{"vpn", "web_widget"}, OrganizationID: "380000000004",
			CustomerEmail: "max.kunde@customer.example", CreatedAt: created, UpdatedAt: updated, UpdatedBy: "9100000000002"},
			"sha256:", true},
		{"ticket_created.json", helpdesk.Ticket{ID: "35436", Number: "35436", Title: "VPN drops every 10 minutes since update",
			State: "new", Priority: sla.Medium, PriorityName: "normal", Tags: []string{"vpn", "web_widget"},
			OrganizationID: "380000000004", Channel: helpdesk.ChannelWeb, CreatedAt: created, UpdatedAt: created,
			UpdatedBy: "9100000000001"}, "zen:01JDXYZEVENT00000000000001", false},
		{"ticket_priority_changed.json", helpdesk.Ticket{ID: "35436", Number: "35436", Title: "VPN drops every 10 minutes since update",
			State: "open", Priority: sla.High, PriorityName: "high", Tags: []string{"vpn", "web_widget"},
			OrganizationID: "380000000004", Channel: helpdesk.ChannelWeb, CreatedAt: created, UpdatedAt: updated,
			UpdatedBy: "9100000000001"}, "zen:01JDXYZEVENT00000000000002", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, err := a.Parse(http.Header{}, fixture(t, tt.file))
			if err != nil || len(evs) != 1 {
				t.Fatalf("Parse: %v, %d events", err, len(evs))
			}
			ev := evs[0]
			if diff := cmp.Diff(tt.ticket, ev.Ticket); diff != "" {
				t.Errorf("ticket (-want +got):\n%s", diff)
			}
			if ev.Helpdesk != "zendesk" || len(ev.DeliveryID) < len(tt.delivery) || ev.DeliveryID[:len(tt.delivery)] != tt.delivery {
				t.Errorf("helpdesk %q delivery %q, want prefix %q", ev.Helpdesk, ev.DeliveryID, tt.delivery)
			}
			if (ev.Article != nil) != tt.article {
				t.Errorf("article = %+v", ev.Article)
			}
		})
	}
}

func TestParseNamesAReplayUnderANewInvocationIDTheSameDelivery(t *testing.T) {
	a := newAdapter(t, zendesk.Config{})
	body := fixture(t, "trigger_ticket_updated.json")
	h1, h2 := http.Header{}, http.Header{}
	h1.Set("X-Zendesk-Webhook-Invocation-Id", "1")
	h2.Set("X-Zendesk-Webhook-Invocation-Id", "2")
	e1, _ := a.Parse(h1, body)
	e2, _ := a.Parse(h2, body)
	if e1[0].DeliveryID != e2[0].DeliveryID {
		t.Fatalf("delivery ids %q and %q differ: an unsigned header must not make a replay new", e1[0].DeliveryID, e2[0].DeliveryID)
	}
}

func TestParseRefusesWhatIsNotATicket(t *testing.T) {
	a := newAdapter(t, zendesk.Config{})
	for _, body := range []string{``, `[]`, `{}`, `{"ticket":{}}`, `{"ticket":{"id":"abc"}}`, `{"ticket":{"id":"-1"}}`,
		`{"type":"zen:event-type:ticket.created","detail":{}}`, `{"ticket":{"id":"1","updated_at":"yesterday"}}`} {
		if _, err := a.Parse(http.Header{}, []byte(body)); !errors.Is(err, helpdesk.ErrPayload) {
			t.Errorf("Parse(%s) = %v, want ErrPayload", body, err)
		}
	}
}

// account is a fake Zendesk with one ticket of a customer of Customer Corp.
func account(t *testing.T) (*zendeskfake.Server, *zendesk.Adapter) {
	t.Helper()
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fake := zendeskfake.Start(t, zendeskfake.Options{
		Users: []zendeskfake.User{{ID: 12, Email: "max@customer.example", Role: "end-user"}, {ID: 3, Email: "agent@agency.example", Role: "agent"}},
		Orgs:  []zendeskfake.Organization{{ID: 5, Name: "Customer Corp"}},
		Tickets: []zendeskfake.Ticket{{ID: 4711, Subject: "VPN", Status: "open", Priority: "normal", Tags: []string{"vpn"},
			RequesterID: 12, OrganizationID: 5, Via: "email", CreatedAt: created, UpdatedAt: created}},
	})
	a := newAdapter(t, zendesk.Config{BaseURL: fake.URL, Email: fake.Email, Token: fake.Token})
	return fake, a
}

var ticket4711 = helpdesk.TicketRef{Helpdesk: "zendesk", ID: "4711"}

func updates(fake *zendeskfake.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestApplyMakesOneTicketUpdateForPriorityAndNoteAndAddsTags(t *testing.T) {
	fake, a := account(t)
	w := helpdesk.Merge(helpdesk.Write{Tags: []string{"sla-at-risk-first-response"}},
		helpdesk.Write{Priority: sla.Critical, Note: "raised: shop down"}, helpdesk.Write{Tags: []string{"sla-critical"}})
	if err := a.Apply(context.Background(), ticket4711, w); err != nil {
		t.Fatal(err)
	}
	want := []string{"PUT /api/v2/tickets/4711/tags.json", "PUT /api/v2/tickets/4711.json"}
	if diff := cmp.Diff(want, updates(fake)); diff != "" {
		t.Fatalf("updates (-want +got):\n%s", diff)
	}
	tk, _ := fake.Ticket(4711)
	if diff := cmp.Diff([]string{"vpn", "sla-at-risk-first-response", "sla-critical"}, tk.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	cs := fake.Comments(4711)
	if tk.Priority != "urgent" || len(cs) != 1 || cs[0].Public || cs[0].Body != "raised: shop down" {
		t.Errorf("priority %q, comments %+v", tk.Priority, cs)
	}
}

func TestApplyRereadsAfterAConflictingTagUpdate(t *testing.T) {
	fake, a := account(t)
	fake.Fail(zendeskfake.Fault{Method: "PUT", Path: "/api/v2/tickets/4711/tags.json", Status: http.StatusConflict})
	if err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Tags: []string{"sla-breached-resolution"}}); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.RequestsTo("GET", "/api/v2/tickets/4711.json")); got != 2 {
		t.Errorf("ticket read %d times, want 2 (once more after the 409)", got)
	}
	if tags := fake.Tags(4711); len(tags) != 2 {
		t.Errorf("tags = %v", tags)
	}
}

func TestSafeUpdateWithAStaleStampIsRefused(t *testing.T) {
	fake, _ := account(t)
	req, _ := http.NewRequest(http.MethodPut, fake.URL+"/api/v2/tickets/4711/tags.json",
		stringsReader(`{"tags":["x"],"safe_update":true,"updated_stamp":"2020-01-01T00:00:00Z"}`))
	req.SetBasicAuth(fake.Email+"/token", fake.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || len(fake.Tags(4711)) != 1 {
		t.Fatalf("status %d, tags %v; want 409 and the tags unchanged", resp.StatusCode, fake.Tags(4711))
	}
}

func TestApplyReturnsRetryAfterOn429(t *testing.T) {
	fake, a := account(t)
	fake.Fail(zendeskfake.Fault{Method: "PUT", Path: "/api/v2/tickets/4711.json", Status: 429, RetryAfter: "7"})
	err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Priority: sla.High})
	var re *helpdesk.RetryableError
	if !errors.As(err, &re) || re.Status != 429 || re.After != 7*time.Second {
		t.Fatalf("Apply = %v, want RetryableError 429 after 7s", err)
	}
}

func TestApplyWritesTheConfirmationAsAPublicComment(t *testing.T) {
	fake, a := account(t)
	if err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Reply: "Wir haben Ihr Ticket."}); err != nil {
		t.Fatal(err)
	}
	cs := fake.Comments(4711)
	if len(cs) != 1 || !cs[0].Public {
		t.Fatalf("comments = %+v, want one public", cs)
	}
}

func TestReadBackActsOnTheTicketAsTheAPIShowsIt(t *testing.T) {
	fake, a := account(t)
	fake.AddComment(zendeskfake.Comment{TicketID: 4711, AuthorID: 12, Public: true, Body: "Still down", Via: "email",
		CreatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	fake.AddComment(zendeskfake.Comment{TicketID: 4711, AuthorID: 3, Public: true, Body: "Looking into it", Via: "web",
		CreatedAt: time.Date(2026, 12, 1, 9, 10, 0, 0, time.UTC)})
	// The hint claims urgent and another requester: the API's word counts.
	hint := helpdesk.Event{Helpdesk: "zendesk", DeliveryID: "d1", Ticket: helpdesk.Ticket{ID: "4711", Priority: sla.Critical,
		CustomerEmail: "attacker@evil.example"}}
	ev, err := a.ReadBack(context.Background(), hint)
	if err != nil {
		t.Fatal(err)
	}
	if ev.DeliveryID != "d1" || ev.Ticket.Priority != sla.Medium || ev.Ticket.CustomerEmail != "max@customer.example" ||
		ev.Ticket.OrganizationName != "Customer Corp" || ev.Ticket.Channel != helpdesk.ChannelEmail {
		t.Errorf("event = %+v", ev)
	}
	if ev.Article == nil || !ev.Article.PublicAgentReply() || ev.Article.Body != "Looking into it" {
		t.Errorf("article = %+v, want the agent's public reply", ev.Article)
	}
	if _, err := a.ReadBack(context.Background(), helpdesk.Event{Ticket: helpdesk.Ticket{ID: "999"}}); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("ReadBack of an unknown ticket = %v, want ErrNotFound", err)
	}
}

func TestTimeEntriesBillEachChangeOfTheTotal(t *testing.T) {
	fake, a := account(t)
	tk, _ := fake.Ticket(4711)
	tk.TimeSpent, tk.UpdatedAt = 900, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	fake.PutTicket(tk, 3)
	tk.Subject, tk.UpdatedAt = "VPN (renamed)", time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	fake.PutTicket(tk, 3) // no time booked: no entry
	tk.TimeSpent, tk.UpdatedAt = 2700, time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	fake.PutTicket(tk, 3)
	es, err := a.TimeEntries(context.Background(), ticket4711)
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, e := range es {
		got = append(got, e.Minutes)
		if e.CreatedBy != "3" || e.TicketID != "4711" {
			t.Errorf("entry %+v", e)
		}
	}
	if diff := cmp.Diff([]float64{15, 30}, got); diff != "" {
		t.Errorf("minutes (-want +got):\n%s", diff)
	}
}

// A comment stamped with sub-millisecond precision must not leave the ticket's updated_at
// unreadable as a safe-update stamp (the fake once answered 409 forever then).
func TestTagsAreAddedAfterACommentWithAFineTimestamp(t *testing.T) {
	fake, a := account(t)
	fake.AddComment(zendeskfake.Comment{TicketID: 4711, AuthorID: 12, Public: true, Body: "hello",
		CreatedAt: time.Date(2026, 12, 1, 9, 5, 0, 123456789, time.UTC)})
	if err := a.Apply(context.Background(), ticket4711, helpdesk.Write{Tags: []string{"sla-over-quota"}}); err != nil {
		t.Fatalf("Apply after a comment: %v", err)
	}
}
