package zammad

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/monobunt/slaguard/helpdesk"
)

// routing is the part of a payload the webhook door reads: the ticket's id. The decoder
// skips everything else without building it.
type routing struct {
	Ticket *struct {
		ID flexString `json:"id"`
	} `json:"ticket"`
}

// Route names a delivery without parsing it: its id (X-Zammad-Delivery, else the SHA-256
// of the body, as Parse says) and its ticket. The worker parses the body with Parse.
func (a *Adapter) Route(h http.Header, body []byte) (helpdesk.Delivery, error) {
	var r routing
	if err := json.Unmarshal(body, &r); err != nil {
		return helpdesk.Delivery{}, fmt.Errorf("zammad: decode payload: %v: %w", err, helpdesk.ErrPayload)
	}
	if r.Ticket == nil || strings.TrimSpace(string(r.Ticket.ID)) == "" {
		return helpdesk.Delivery{}, fmt.Errorf("zammad: payload has no ticket id: %w", helpdesk.ErrPayload)
	}
	d := helpdesk.Delivery{ID: deliveryID(h.Get(HeaderDelivery)), TicketID: strings.TrimSpace(string(r.Ticket.ID)),
		Header: http.Header{}}
	if d.ID == "" {
		sum := sha256.Sum256(body)
		d.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	for _, k := range []string{HeaderDelivery, HeaderTrigger} {
		if v := h.Get(k); v != "" {
			d.Header.Set(k, v)
		}
	}
	return d, nil
}
