package zendesk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/internal/rest"
)

// Webhook headers Zendesk sends.
const (
	HeaderSignature  = "X-Zendesk-Webhook-Signature"
	HeaderTimestamp  = "X-Zendesk-Webhook-Signature-Timestamp"
	HeaderInvocation = "X-Zendesk-Webhook-Invocation-Id"
	HeaderWebhookID  = "X-Zendesk-Webhook-Id"
)

// Verify checks X-Zendesk-Webhook-Signature, the base64 HMAC-SHA256 keyed with the
// webhook's signing secret over the X-Zendesk-Webhook-Signature-Timestamp value followed
// directly by the raw body, in constant time; and that the timestamp is within the
// replay window of the clock, either way. It returns an error wrapping
// helpdesk.ErrSignature when a header is missing, the signature is wrong or the
// timestamp stale, and always when no secret is configured. A replay inside the window
// carries the same signed body, so its delivery id (see Parse) is the same and the queue
// refuses it as a duplicate.
func (a *Adapter) Verify(h http.Header, body []byte) error {
	if len(a.secret) == 0 {
		return fmt.Errorf("zendesk: no webhook secret configured: %w", helpdesk.ErrSignature)
	}
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	ts := strings.TrimSpace(h.Get(HeaderTimestamp))
	if sig == "" || ts == "" {
		return fmt.Errorf("zendesk: no %s or %s header: %w", HeaderSignature, HeaderTimestamp, helpdesk.ErrSignature)
	}
	// Compared as text with the one canonical encoding: decoding the header instead would
	// accept variants of it (Go's base64 decoder skips line breaks).
	if !hmac.Equal([]byte(sig), []byte(Sign(string(a.secret), ts, body))) {
		return fmt.Errorf("zendesk: signature does not match: %w", helpdesk.ErrSignature)
	}
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fmt.Errorf("zendesk: %s %q is not an ISO 8601 time: %w", HeaderTimestamp, rest.Excerpt(ts, 40), helpdesk.ErrSignature)
	}
	if d := a.clock().Sub(at); d > a.window || d < -a.window {
		return fmt.Errorf("zendesk: signature timestamp %s is %s away from now, beyond the replay window of %s: %w",
			ts, d.Round(time.Second), a.window, helpdesk.ErrSignature)
	}
	return nil
}

// Sign returns the X-Zendesk-Webhook-Signature Zendesk sends for body at timestamp ts.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
