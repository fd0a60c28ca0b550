package sla

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Duration is a time.Duration written in JSON the way people write targets: "8h", "90m",
// "1h30m", "45s". Zero is written "0s" and means "no target" where a target is optional.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes d compactly: 48h, 1h30m, 90s (no "0m0s" tails).
func (d Duration) String() string {
	t := time.Duration(d)
	if t == 0 {
		return "0s"
	}
	var b strings.Builder
	if t < 0 {
		b.WriteByte('-')
		t = -t
	}
	if h := t / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		t -= h * time.Hour
	}
	if m := t / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		t -= m * time.Minute
	}
	if t > 0 {
		b.WriteString((t).String()) // seconds, possibly fractional
	}
	return b.String()
}

// ParseDuration reads "8h", "90m", "1h30m", "45s" (Go's time.ParseDuration syntax).
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("sla: %q is not a duration like 8h, 90m or 1h30m", s)
	}
	return Duration(d), nil
}

// MarshalJSON writes the compact string form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the string form; a bare number is refused (its unit would be a guess).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("sla: a duration is a string like \"8h\" or \"90m\"")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
