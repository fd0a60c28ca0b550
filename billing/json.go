package billing

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes x as indented JSON followed by a newline; money is integer cents
// (amount_cents, rate_cents_per_hour). The same export always gives the same bytes.
func WriteJSON(w io.Writer, x Export) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("billing: write json: %w", err)
	}
	return nil
}
