package webhook_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/webhook"
)

// Zendesk's example delivery of SOURCES.md (signed at 09:05:13, the rig's clock).
const (
	zendeskSecret    = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
	zendeskTimestamp = "2026-11-25T09:05:13Z"
	zendeskSignature = "hwp40NXp4c6hOGsbpBc2HrsbNzZcvsNwOtw3wDWtl8g="
	freshdeskSecret  = "freshdesk-shared-secret"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// TestEveryHelpdeskRefusesForgedStaleReplayedAndUnsignedDeliveries runs the same
// deliveries against the three helpdesks' doors. Each case is sent after the genuine
// delivery of its helpdesk was accepted, so a replay finds it queued. Zammad and
// Freshdesk sign no time, so they have no stale case: a late copy is a replay, which the
// ticket log (Zammad: same snapshot) or the read-back (Freshdesk: the API's state) makes
// harmless.
func TestEveryHelpdeskRefusesForgedStaleReplayedUnsignedAndInvalidDeliveries(t *testing.T) {
	zammadBody, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	zendeskBody, err := os.ReadFile("../../shared/fixtures/zendesk/ticket_created.json")
	if err != nil {
		t.Fatal(err)
	}
	freshdeskBody, err := os.ReadFile("../../shared/fixtures/freshdesk/ticket_updated.json")
	if err != nil {
		t.Fatal(err)
	}
	at := func() time.Time { return received }
	zm, _ := zammad.New(zammad.Config{WebhookSecret: fixtureSecret})
	zd, _ := zendesk.New(zendesk.Config{WebhookSecret: zendeskSecret, Clock: at})
	fd, _ := freshdesk.New(freshdesk.Config{WebhookSecret: freshdeskSecret, Clock: at})
	zdSigned := hdr("X-Zendesk-Webhook-Signature-Timestamp", zendeskTimestamp, "X-Zendesk-Webhook-Signature", zendeskSignature,
		"X-Zendesk-Webhook-Invocation-Id", "8350200001")
	staleTS := "2026-11-25T08:55:00Z"
	// Signed deliveries of JSON that is no ticket event: refused with 422, nothing queued.
	zdInvalid := []byte(`{"ticket":{"id":"abc","updated_at":"gestern"}}`)
	zdInvalidSigned := hdr("X-Zendesk-Webhook-Signature-Timestamp", zendeskTimestamp,
		"X-Zendesk-Webhook-Signature", zendesk.Sign(zendeskSecret, zendeskTimestamp, zdInvalid))
	fdInvalid := []byte(`{"freshdesk_webhook":{"ticket_id":"{{ticket.id}}"}}`)
	type delivery struct {
		name   string
		body   []byte
		header http.Header
		status int
		result string // "accepted", "duplicate", or "" for a refusal
		// more are further strings the answer must hold (the fields a 422 names).
		more []string
	}
	tests := []struct {
		helpdesk string
		genuine  delivery
		others   []delivery
	}{
		{"zammad", delivery{"genuine", zammadBody, fixtureHeaders(), 202, "accepted", nil}, []delivery{
			{"forged: signed with another secret", zammadBody, hdr("X-Hub-Signature", zammadfake.Sign("other", zammadBody)), 401, "", nil},
			{"forged: body changed", append([]byte(" "), zammadBody...), fixtureHeaders(), 401, "", nil},
			{"unsigned", zammadBody, hdr("X-Zammad-Delivery", "x"), 401, "", nil},
			{"replayed", zammadBody, fixtureHeaders(), 202, "duplicate", nil},
		}},
		{"zendesk", delivery{"genuine", zendeskBody, zdSigned, 202, "accepted", nil}, []delivery{
			{"forged: signed with another secret", zendeskBody, hdr("X-Zendesk-Webhook-Signature-Timestamp", zendeskTimestamp,
				"X-Zendesk-Webhook-Signature", zendesk.Sign("other", zendeskTimestamp, zendeskBody)), 401, "", nil},
			{"forged: body changed", append([]byte(" "), zendeskBody...), zdSigned, 401, "", nil},
			{"stale: signed 10 minutes ago", zendeskBody, hdr("X-Zendesk-Webhook-Signature-Timestamp", staleTS,
				"X-Zendesk-Webhook-Signature", zendesk.Sign(zendeskSecret, staleTS, zendeskBody)), 401, "", nil},
			{"stale: old timestamp on a fresh signature header", zendeskBody, hdr("X-Zendesk-Webhook-Signature-Timestamp", staleTS,
				"X-Zendesk-Webhook-Signature", zendeskSignature), 401, "", nil},
			{"unsigned", zendeskBody, hdr("X-Zendesk-Webhook-Invocation-Id", "1"), 401, "", nil},
			{"replayed", zendeskBody, zdSigned, 202, "duplicate", nil},
			{"replayed under a new invocation id", zendeskBody, hdr("X-Zendesk-Webhook-Signature-Timestamp", zendeskTimestamp,
				"X-Zendesk-Webhook-Signature", zendeskSignature, "X-Zendesk-Webhook-Invocation-Id", "9999999"), 202, "duplicate", nil},
			{"invalid: ticket id abc, no created_at, bad updated_at", zdInvalid, zdInvalidSigned, 422, "",
				[]string{`"ticket.id"`, `"ticket.created_at"`, `"ticket.updated_at"`}},
		}},
		{"freshdesk", delivery{"genuine", freshdeskBody, hdr("X-Webhook-Token", freshdeskSecret), 202, "accepted", nil}, []delivery{
			{"forged: wrong secret", freshdeskBody, hdr("X-Webhook-Token", "guess"), 401, "", nil},
			{"unsigned", freshdeskBody, hdr(), 401, "", nil},
			{"replayed", freshdeskBody, hdr("X-Webhook-Token", freshdeskSecret), 202, "duplicate", nil},
			{"invalid: placeholder not rendered", fdInvalid, hdr("X-Webhook-Token", freshdeskSecret), 422, "",
				[]string{`"freshdesk_webhook.ticket_id"`}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.helpdesk, func(t *testing.T) {
			r := newRig(t, redistest.Addr(t), fixtureSecret, func(c *webhook.Config) {
				c.Adapters = []helpdesk.Adapter{zm, zd, fd}
			})
			path := "/webhooks/" + tt.helpdesk
			if rec := r.post(path, tt.genuine.body, tt.genuine.header); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"accepted"`) {
				t.Fatalf("genuine delivery: %d %s", rec.Code, rec.Body)
			}
			for _, d := range tt.others {
				rec := r.post(path, d.body, d.header)
				if rec.Code != d.status || (d.result != "" && !strings.Contains(rec.Body.String(), `"`+d.result+`"`)) {
					t.Errorf("%s: %d %s, want %d %s", d.name, rec.Code, rec.Body, d.status, d.result)
				}
				for _, m := range d.more {
					if !strings.Contains(rec.Body.String(), m) {
						t.Errorf("%s: answer lacks %s: %s", d.name, m, rec.Body)
					}
				}
			}
			q := r.queued(t)
			if len(q) != 1 {
				t.Fatalf("%d events queued, want only the genuine one", len(q))
			}
			// A Zendesk delivery's id stays taken for the whole replay window.
			if tt.helpdesk == "zendesk" && q[0].Retention < zendesk.DefaultReplayWindow {
				t.Errorf("retention %s, want the replay window %s", q[0].Retention, zendesk.DefaultReplayWindow)
			}
		})
	}
}
