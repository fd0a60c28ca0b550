package zammad

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
)

// Webhook headers Zammad sends.
const (
	HeaderSignature = "X-Hub-Signature"
	HeaderDelivery  = "X-Zammad-Delivery"
	HeaderTrigger   = "X-Zammad-Trigger"
)

// Verify checks X-Hub-Signature, "sha1=" and the hex HMAC-SHA1 of the raw body keyed with
// the webhook secret, in constant time. It returns an error wrapping helpdesk.ErrSignature
// when the header is missing or wrong, and always when no secret is configured.
func (a *Adapter) Verify(h http.Header, body []byte) error {
	if len(a.secret) == 0 {
		return fmt.Errorf("zammad: no webhook secret configured: %w", helpdesk.ErrSignature)
	}
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	if sig == "" {
		return fmt.Errorf("zammad: no %s header: %w", HeaderSignature, helpdesk.ErrSignature)
	}
	hexSum, ok := strings.CutPrefix(sig, "sha1=")
	if !ok {
		return fmt.Errorf("zammad: %s is not sha1=<hex>: %w", HeaderSignature, helpdesk.ErrSignature)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return fmt.Errorf("zammad: %s is not hex: %w", HeaderSignature, helpdesk.ErrSignature)
	}
	mac := hmac.New(sha1.New, a.secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("zammad: signature does not match: %w", helpdesk.ErrSignature)
	}
	return nil
}
