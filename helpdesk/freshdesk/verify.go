package freshdesk

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/monobunt/slaguard/helpdesk"
)

// Verify checks the shared secret the automation rule sends in X-Webhook-Token, in
// constant time (both sides hashed first, so not even the length leaks). Freshdesk signs
// nothing: a delivery that passes is still only a hint, and the worker reads the ticket
// back (ReadBack). It returns an error wrapping helpdesk.ErrSignature when the header is
// missing or wrong, and always when no secret is configured.
func (a *Adapter) Verify(h http.Header, body []byte) error {
	if len(a.secret) == 0 {
		return fmt.Errorf("freshdesk: no webhook secret configured: %w", helpdesk.ErrSignature)
	}
	got := strings.TrimSpace(h.Get(HeaderSecret))
	if got == "" {
		return fmt.Errorf("freshdesk: no %s header: %w", HeaderSecret, helpdesk.ErrSignature)
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256(a.secret)
	if subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		return fmt.Errorf("freshdesk: %s does not match: %w", HeaderSecret, helpdesk.ErrSignature)
	}
	return nil
}
