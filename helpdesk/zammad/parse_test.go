package zammad_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/sla"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ptr(t time.Time) *time.Time { return &t }

func deliveryHeader(id, trigger string) http.Header {
	h := http.Header{}
	h.Set("X-Zammad-Delivery", id)
	h.Set("X-Zammad-Trigger", trigger)
	return h
}

// fixtureTicket is ticket 4711 as all fixtures share it; cases change what differs.
func fixtureTicket() helpdesk.Ticket {
	return helpdesk.Ticket{
		ID: "4711", Number: "31004711", Title: "VPN drops every 10 minutes since update",
		State: "open", Priority: sla.Medium, PriorityName: "2 normal",
		OrganizationID: "5", OrganizationName: "Customer Corp", CustomerEmail: "max.kunde@customer.example",
		Channel: helpdesk.ChannelEmail, CreatedAt: at("2026-11-25T09:05:12.345Z"),
		FirstResponseAt: ptr(at("2026-11-25T09:40:00Z")), UpdatedBy: "12", TimeAccountingIDs: []string{},
	}
}

func TestParseReadsEachFixtureIntoOneEvent(t *testing.T) {
	tests := []struct {
		file    string
		ticket  func(*helpdesk.Ticket)
		article *helpdesk.Article
	}{
		{
			file: "ticket_created.json",
			ticket: func(tk *helpdesk.Ticket) {
				tk.State, tk.FirstResponseAt = "new", nil
				tk.UpdatedAt = at("2026-11-25T09:05:12.512Z")
			},
			article: &helpdesk.Article{ID: "501", Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelEmail,
				Subject: "VPN drops every 10 minutes since update", CreatedAt: at("2026-11-25T09:05:12.400Z"), CreatedBy: "12"},
		},
		{
			file:   "article_created.json",
			ticket: func(tk *helpdesk.Ticket) { tk.UpdatedAt = at("2026-11-25T14:22:03.210Z") },
			article: &helpdesk.Article{ID: "503", Sender: helpdesk.SenderCustomer, Channel: helpdesk.ChannelEmail,
				Subject:   "RE: VPN drops every 10 minutes since update [Ticket#31004711]",
				CreatedAt: at("2026-11-25T14:22:03.100Z"), CreatedBy: "12"},
		},
		{
			file: "article_internal_note.json",
			ticket: func(tk *helpdesk.Ticket) {
				tk.UpdatedAt, tk.UpdatedBy = at("2026-11-25T15:00:00.120Z"), "3"
				tk.TimeAccountingIDs = []string{"77"}
			},
			article: &helpdesk.Article{ID: "504", Sender: helpdesk.SenderAgent, Internal: true, Channel: helpdesk.ChannelNote,
				CreatedAt: at("2026-11-25T15:00:00Z"), CreatedBy: "3", AccountedMinutes: 15},
		},
		{
			file: "priority_changed.json",
			ticket: func(tk *helpdesk.Ticket) {
				tk.UpdatedAt = at("2026-11-25T14:23:00Z")
				tk.Priority, tk.PriorityName = sla.High, "3 high"
			},
		},
		{
			file: "state_pending.json",
			ticket: func(tk *helpdesk.Ticket) {
				tk.UpdatedAt, tk.UpdatedBy = at("2026-11-25T16:10:45Z"), "3"
				tk.State, tk.Paused = "pending reminder", true
			},
		},
	}
	a := newAdapter(t, zammad.Config{})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, err := a.Parse(deliveryHeader("d-1", "trigger x"), fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			want := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d-1", Trigger: "trigger x",
				Ticket: fixtureTicket(), Article: tt.article}
			tt.ticket(&want.Ticket)
			diff := cmp.Diff([]helpdesk.Event{want}, evs, cmpopts.IgnoreFields(helpdesk.Article{}, "Body"))
			if diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if tt.article != nil && evs[0].Article.Body == "" {
				t.Error("article body is empty")
			}
		})
	}
}

func TestParseMapsStatesPrioritiesSendersAndChannels(t *testing.T) {
	a := newAdapter(t, zammad.Config{
		PausedStates: []string{"Waiting For Customer"},
		Priorities:   map[string]sla.Priority{"P3": sla.Low, "P2": sla.Medium, "P1": sla.High, "P0 now": sla.Critical},
	})
	tests := []struct {
		name                     string
		state, priority          string
		sender, typ              string
		wantPaused, wantClosed   bool
		wantPriority             sla.Priority
		wantSender               helpdesk.Sender
		wantChannel, wantCreated helpdesk.Channel
	}{
		{"configured pause state, case-insensitive", "waiting for customer", "P2", "Agent", "phone",
			true, false, sla.Medium, helpdesk.SenderAgent, helpdesk.ChannelPhone, helpdesk.ChannelPhone},
		{"default pause states are replaced by the configured ones", "pending reminder", "P1", "Customer", "web",
			false, false, sla.High, helpdesk.SenderCustomer, helpdesk.ChannelWeb, helpdesk.ChannelWeb},
		{"closed", "closed", "P3", "System", "email", false, true, sla.Low, helpdesk.SenderSystem,
			helpdesk.ChannelEmail, helpdesk.ChannelEmail},
		{"merged is closed", "merged", "P0 now", "Agent", "note", false, true, sla.Critical, helpdesk.SenderAgent,
			helpdesk.ChannelNote, helpdesk.ChannelNote},
		{"unmapped critical-sounding name", "open", "4 Urgent", "Agent", "sms", false, false, sla.Critical,
			helpdesk.SenderAgent, helpdesk.ChannelOther, helpdesk.ChannelOther},
		{"unknown sender counts as system", "open", "whatever", "Robot", "chat", false, false, sla.Medium,
			helpdesk.SenderSystem, helpdesk.ChannelOther, helpdesk.ChannelOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := zammadfake.Payload{
				Ticket:  zammadfake.Ticket{ID: 7, State: tt.state, Priority: tt.priority, CreateArticleType: tt.typ},
				Article: &zammadfake.Article{ID: 70, Sender: tt.sender, Type: tt.typ},
			}
			evs, err := a.Parse(deliveryHeader("d", ""), p.JSON())
			if err != nil {
				t.Fatal(err)
			}
			tk, art := evs[0].Ticket, evs[0].Article
			got := []any{tk.Paused, tk.Closed, tk.Priority, art.Sender, art.Channel, tk.Channel}
			want := []any{tt.wantPaused, tt.wantClosed, tt.wantPriority, tt.wantSender, tt.wantChannel, tt.wantCreated}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("paused, closed, priority, sender, channel, ticket channel (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDefaultPriorities(t *testing.T) {
	a := newAdapter(t, zammad.Config{})
	for name, want := range map[string]sla.Priority{
		"1 low": sla.Low, "2 normal": sla.Medium, "3 high": sla.High, "4 critical": sla.Critical, "": sla.Medium,
	} {
		body := `{"ticket":{"id":1,"priority":{"id":9,"name":"` + name + `"}}}`
		evs, err := a.Parse(http.Header{}, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := evs[0].Ticket.Priority; got != want {
			t.Errorf("priority %q = %s, want %s", name, got, want)
		}
	}
}

func TestParseTakesTheLenientFormsZammadAndCustomPayloadsUse(t *testing.T) {
	a := newAdapter(t, zammad.Config{})
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, ev helpdesk.Event)
	}{
		{"article absent", `{"ticket":{"id":1}}`, func(t *testing.T, ev helpdesk.Event) {
			if ev.Article != nil {
				t.Errorf("article = %+v, want nil", ev.Article)
			}
		}},
		{"article null", `{"ticket":{"id":1},"article":null}`, func(t *testing.T, ev helpdesk.Event) {
			if ev.Article != nil {
				t.Errorf("article = %+v, want nil", ev.Article)
			}
		}},
		{"article {}", `{"ticket":{"id":1},"article":{}}`, func(t *testing.T, ev helpdesk.Event) {
			if ev.Article != nil {
				t.Errorf("article = %+v, want nil", ev.Article)
			}
		}},
		{"ids and accounted time as strings", `{"ticket":{"id":"12","state":"open","priority":"3 high",
			"organization":"ACME","customer":{"login":"x@y.example"}},
			"article":{"id":"5","sender":"Agent","type":"phone","internal":"false","accounted_time":"7.5"}}`,
			func(t *testing.T, ev helpdesk.Event) {
				if ev.Ticket.ID != "12" || ev.Ticket.Priority != sla.High || ev.Ticket.OrganizationName != "ACME" ||
					ev.Ticket.CustomerEmail != "x@y.example" || ev.Article.ID != "5" || ev.Article.AccountedMinutes != 7.5 {
					t.Errorf("event = %+v / %+v", ev.Ticket, ev.Article)
				}
			}},
		{"numeric id written as float", `{"ticket":{"id":4711.0}}`, func(t *testing.T, ev helpdesk.Event) {
			if ev.Ticket.ID != "4711" {
				t.Errorf("id = %q", ev.Ticket.ID)
			}
		}},
		{"time offset converted to UTC", `{"ticket":{"id":1,"updated_at":"2026-11-25T10:00:00+01:00"}}`,
			func(t *testing.T, ev helpdesk.Event) {
				if !ev.Ticket.UpdatedAt.Equal(at("2026-11-25T09:00:00Z")) || ev.Ticket.UpdatedAt.Location() != time.UTC {
					t.Errorf("updated_at = %v", ev.Ticket.UpdatedAt)
				}
			}},
		{"garbage accounted time is no time", `{"ticket":{"id":1},"article":{"id":2,"accounted_time":"NaN"}}`,
			func(t *testing.T, ev helpdesk.Event) {
				if ev.Article.AccountedMinutes != 0 {
					t.Errorf("minutes = %v", ev.Article.AccountedMinutes)
				}
			}},
		{"critical tag on high stays high with its tag (the worker decides critical)", `{"ticket":{"id":1,"priority":{"name":"3 high"},"tags":["sla-critical"]}}`,
			func(t *testing.T, ev helpdesk.Event) {
				if ev.Ticket.Priority != sla.High || !slices.Contains(ev.Ticket.Tags, sla.CriticalTag) {
					t.Errorf("priority = %s, tags = %v", ev.Ticket.Priority, ev.Ticket.Tags)
				}
			}},
		{"tags and time accounting ids as a custom payload renders them (joined with \", \")",
			`{"ticket":{"id":1,"tags":"sla-critical, vip","ticket_time_accounting_ids":"77, 78"}}`,
			func(t *testing.T, ev helpdesk.Event) {
				if !slices.Equal(ev.Ticket.Tags, []string{"sla-critical", "vip"}) ||
					!slices.Equal(ev.Ticket.TimeAccountingIDs, []string{"77", "78"}) {
					t.Errorf("tags = %q, time accounting ids = %q", ev.Ticket.Tags, ev.Ticket.TimeAccountingIDs)
				}
			}},
		{"long body is cut without splitting a character", `{"ticket":{"id":1},"article":{"id":2,"body":"` +
			strings.Repeat("ä", 400) + `"}}`, func(t *testing.T, ev helpdesk.Event) {
			if n := len(ev.Article.Body); n > 500 || n < 498 || !strings.HasSuffix(ev.Article.Body, "ä") {
				t.Errorf("body has %d bytes", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := a.Parse(deliveryHeader("d", ""), []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("got %d events", len(evs))
			}
			tt.check(t, evs[0])
		})
	}
}

func TestParseRejectsWhatIsNotAZammadPayload(t *testing.T) {
	a := newAdapter(t, zammad.Config{})
	for _, body := range []string{
		``, `null`, `[]`, `"x"`, `{`, `{}`, `{"ticket":null}`, `{"ticket":{}}`, `{"ticket":{"id":null}}`,
		`{"ticket":{"id":""}}`, `{"ticket":{"id":{"a":1}}}`, `{"ticket":{"id":1,"created_at":"yesterday"}}`,
		`{"ticket":{"id":1},"article":[1]}`, `{"ticket":{"id":1},"article":{"id":2,"created_at":5}}`,
		`{"ticket":{"id":1,"updated_at":"0000-01-01T00:30:00+01:00"}}`,
	} {
		_, err := a.Parse(http.Header{}, []byte(body))
		if !errors.Is(err, helpdesk.ErrPayload) {
			t.Errorf("Parse(%s) = %v, want ErrPayload", body, err)
		}
	}
}

func TestParseDeliveryIDFallsBackToTheBodyHash(t *testing.T) {
	a := newAdapter(t, zammad.Config{})
	body := fixture(t, "state_pending.json")
	evs, err := a.Parse(http.Header{}, body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if want := "sha256:" + hex.EncodeToString(sum[:]); evs[0].DeliveryID != want {
		t.Errorf("delivery id = %q, want %q", evs[0].DeliveryID, want)
	}
	if evs[0].Trigger != "" {
		t.Errorf("trigger = %q, want empty", evs[0].Trigger)
	}
}

func TestPayloadBuilderRoundTripsThroughParse(t *testing.T) {
	created := at("2026-11-25T09:05:12.345Z")
	p := zammadfake.Payload{
		Ticket: zammadfake.Ticket{ID: 42, Number: "31000042", Title: "Shop down", State: "open", Priority: "3 high",
			OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: 12, CustomerEmail: "c@customer.example",
			CreatedAt: created, UpdatedAt: created.Add(time.Minute), UpdatedByID: 99,
			FirstResponseAt: ptr(created.Add(30 * time.Second)), TimeAccountingIDs: []int{3, 4}},
		Article: &zammadfake.Article{ID: 900, Sender: "Agent", Type: "email", Subject: "Re: Shop down",
			Body: "on it", CreatedAt: created.Add(time.Minute), CreatedByID: 99, AccountedTime: 10},
	}
	evs, err := newAdapter(t, zammad.Config{}).Parse(deliveryHeader("d-42", "t"), p.JSON())
	if err != nil {
		t.Fatal(err)
	}
	want := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d-42", Trigger: "t",
		Ticket: helpdesk.Ticket{ID: "42", Number: "31000042", Title: "Shop down", State: "open", Priority: sla.High,
			PriorityName: "3 high", OrganizationID: "5", OrganizationName: "Customer Corp",
			CustomerEmail: "c@customer.example", Channel: helpdesk.ChannelEmail, CreatedAt: created,
			UpdatedAt: created.Add(time.Minute), UpdatedBy: "99", FirstResponseAt: ptr(created.Add(30 * time.Second)),
			TimeAccountingIDs: []string{"3", "4"}},
		Article: &helpdesk.Article{ID: "900", Sender: helpdesk.SenderAgent, Channel: helpdesk.ChannelEmail,
			Subject: "Re: Shop down", Body: "on it", CreatedAt: created.Add(time.Minute), CreatedBy: "99",
			AccountedMinutes: 10},
	}
	if diff := cmp.Diff([]helpdesk.Event{want}, evs); diff != "" {
		t.Errorf("Parse(builder payload) (-want +got):\n%s", diff)
	}
	if strings.Contains(string(p.JSON()), "\n") {
		t.Error("builder payload is not compact")
	}
}

func TestParseHashesDeliveryIDsThatAreNoPlainToken(t *testing.T) {
	a := newAdapter(t, zammad.Config{})
	body := []byte(`{"ticket":{"id":1}}`)
	for _, id := range []string{"\xe8", "a\nb", strings.Repeat("x", 201)} {
		evs, err := a.Parse(deliveryHeader(id, ""), body)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(id))
		if want := "sha256:" + hex.EncodeToString(sum[:]); evs[0].DeliveryID != want {
			t.Errorf("delivery id for %q = %q, want %q", id, evs[0].DeliveryID, want)
		}
	}
}
