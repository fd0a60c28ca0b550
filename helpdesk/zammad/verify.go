package zammad

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
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
	var got, sum [sha1.Size]byte
	if len(hexSum) != hex.EncodedLen(sha1.Size) {
		return fmt.Errorf("zammad: %s is not %d hex digits: %w", HeaderSignature, hex.EncodedLen(sha1.Size), helpdesk.ErrSignature)
	}
	var digits [2 * sha1.Size]byte
	copy(digits[:], hexSum)
	if _, err := hex.Decode(got[:], digits[:]); err != nil {
		return fmt.Errorf("zammad: %s is not hex: %w", HeaderSignature, helpdesk.ErrSignature)
	}
	// A keyed state is reused: hmac.New allocates two SHA-1 states and the padded keys on
	// every delivery, and Reset returns a used one to the keyed start.
	mac, _ := a.macs.Get().(hash.Hash)
	if mac == nil {
		mac = hmac.New(sha1.New, a.secret)
	} else {
		mac.Reset()
	}
	mac.Write(body)
	ok = hmac.Equal(got[:], mac.Sum(sum[:0]))
	a.macs.Put(mac)
	if !ok {
		return fmt.Errorf("zammad: signature does not match: %w", helpdesk.ErrSignature)
	}
	return nil
}
