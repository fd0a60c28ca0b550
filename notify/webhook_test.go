package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/notify"
	"github.com/monobunt/slaguard/notify/notifyfake"
)

// breach is a pinned warning: ticket 4711's first response was due Tuesday 1 December
// 2026 at 10:00 in Vienna (09:00 UTC) and is 1 h 5 min late.
func breach() notify.Message {
	return notify.Message{Kind: notify.Breach, Clock: "first-response", Customer: "Tischlerei Holz & Söhne",
		Ticket: "4711", Title: "Shop <down>", URL: "https://helpdesk.example.at/#ticket/zoom/4711",
		Deadline: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Left: -65 * time.Minute, ID: "zammad:4711/breached-first-response"}
}

func TestMessageSaysCustomerTicketDeadlineInViennaAndHowLate(t *testing.T) {
	text := breach().Text()
	for _, want := range []string{
		"SLA verletzt / SLA breached: Erstreaktion / first response – Ticket 4711 (Tischlerei Holz & Söhne)",
		"Kunde / Customer: Tischlerei Holz & Söhne",
		"Ticket: 4711 Shop <down>",
		"Di., 01.12.2026 10:00 (Tue 1 Dec 2026 10:00, Europe/Vienna)",
		"Überfällig / Late: 1 h 5 min Geschäftszeit / business time",
		"https://helpdesk.example.at/#ticket/zoom/4711",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}
	risk := breach()
	risk.Kind, risk.Left = notify.AtRisk, 30*time.Minute
	if text := risk.Text(); !strings.Contains(text, "SLA gefährdet / SLA at risk") || !strings.Contains(text, "Noch / Left: 30 min") {
		t.Errorf("at-risk message:\n%s", text)
	}
}

func TestEachReceiverTakesItsFormat(t *testing.T) {
	for _, ch := range []notify.Channel{notify.Slack, notify.Mattermost, notify.Teams} {
		t.Run(string(ch), func(t *testing.T) {
			r := notifyfake.NewReceiver(ch)
			defer r.Close()
			wh := notify.Webhook{Channel: ch, URL: r.URL, Client: r.Client()}
			if err := wh.Send(context.Background(), breach()); err != nil {
				t.Fatal(err)
			}
			got := r.Delivered()
			if len(got) != 1 {
				t.Fatalf("%d messages delivered, want 1: %+v", len(got), r.Posts())
			}
			raw := string(got[0].Raw)
			switch ch {
			case notify.Slack:
				// Slack's mrkdwn escapes &, < and >; the link is <url|label>.
				if !strings.Contains(raw, "Holz \\u0026amp; Söhne") || !strings.Contains(raw, "\\u003chttps://helpdesk.example.at/#ticket/zoom/4711|Ticket 4711\\u003e") ||
					!strings.Contains(raw, `"blocks"`) {
					t.Errorf("slack body: %s", raw)
				}
			case notify.Mattermost:
				if !strings.Contains(raw, "[Ticket öffnen / Open the ticket](https://helpdesk.example.at/#ticket/zoom/4711)") {
					t.Errorf("mattermost body: %s", raw)
				}
			case notify.Teams:
				if !strings.Contains(raw, `"FactSet"`) || !strings.Contains(raw, `"Action.OpenUrl"`) || !strings.Contains(raw, `"color":"Attention"`) {
					t.Errorf("teams body: %s", raw)
				}
			}
		})
	}
}

func TestReceiverAnswers(t *testing.T) {
	cases := []struct {
		name      string
		answer    notifyfake.Answer
		retryable bool
		status    int
		after     time.Duration
		says      string
	}{
		{name: "429 with seconds", answer: notifyfake.Answer{Status: 429, RetryAfter: "7"}, retryable: true, status: 429, after: 7 * time.Second},
		{name: "503", answer: notifyfake.Answer{Status: 503}, retryable: true, status: 503},
		{name: "500 with a junk Retry-After", answer: notifyfake.Answer{Status: 500, RetryAfter: "soon"}, retryable: true, status: 500},
		{name: "404 no_service is final", answer: notifyfake.Answer{Status: 404, Body: "no_service"}, says: "answered 404: no_service"},
		{name: "410 channel_is_archived is final", answer: notifyfake.Answer{Status: 410, Body: "channel_is_archived"}, says: "channel_is_archived"},
		{name: "400 is final", answer: notifyfake.Answer{Status: 400, Body: "invalid_payload"}, says: "invalid_payload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := notifyfake.NewReceiver(notify.Slack)
			defer r.Close()
			r.Fail(c.answer)
			err := notify.Webhook{Channel: notify.Slack, URL: r.URL, Client: r.Client()}.Send(context.Background(), breach())
			if err == nil {
				t.Fatal("no error")
			}
			var re *helpdesk.RetryableError
			if errors.As(err, &re) != c.retryable {
				t.Fatalf("retryable = %v, want %v: %v", !c.retryable, c.retryable, err)
			}
			if c.retryable && (re.Status != c.status || re.After != c.after) {
				t.Errorf("status %d after %s, want %d after %s", re.Status, re.After, c.status, c.after)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error shows the secret URL: %v", err)
			}
		})
	}
}

func TestAReceiverThatIsGoneIsRetryableAndKeepsItsURLSecret(t *testing.T) {
	r := notifyfake.NewReceiver(notify.Mattermost)
	url, client := r.URL, r.Client()
	r.Close()
	err := notify.Webhook{Channel: notify.Mattermost, URL: url, Client: client}.Send(context.Background(), breach())
	var re *helpdesk.RetryableError
	if !errors.As(err, &re) {
		t.Fatalf("want a retryable error, got %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "https://127.0.0.1:") {
		t.Errorf("error %q: want the host, not the secret path", err)
	}
}

func TestRetryAfterAsAnHTTPDateIsReadAgainstTheReceiversClock(t *testing.T) {
	srv := notifyfake.NewReceiver(notify.Teams)
	defer srv.Close()
	srv.Fail(notifyfake.Answer{Status: 429, Date: "Tue, 01 Dec 2026 09:00:00 GMT", RetryAfter: "Tue, 01 Dec 2026 09:01:30 GMT"})
	err := notify.Webhook{Channel: notify.Teams, URL: srv.URL, Client: srv.Client()}.Send(context.Background(), breach())
	var re *helpdesk.RetryableError
	if !errors.As(err, &re) || re.After != 90*time.Second {
		t.Fatalf("want a wait of 90 s, got %v", err)
	}
}

func TestRedactKeepsOnlyTheHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/XXXX":                                      "https://hooks.slack.com/…",
		"https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers?sig=SECRET": "https://prod-01.westeurope.logic.azure.com:443/…",
		"::not a url": "(webhook URL)",
	} {
		if got := notify.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
