package billing

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadMinutes is returned by ParseMinutes for anything but a non-negative decimal.
var ErrBadMinutes = errors.New("billing: minutes must be a non-negative decimal like 15 or 7.5")

// AmountCents prices seconds of time at rateCentsPerHour: seconds × rate / 3600, rounded
// half up to the cent, in integers. Negative seconds (an adjustment) round half away from
// zero, so a correction is the exact negative of the line it takes back.
func AmountCents(seconds, rateCentsPerHour int64) int64 {
	if seconds < 0 {
		return -AmountCents(-seconds, rateCentsPerHour)
	}
	return (seconds*rateCentsPerHour + 1800) / 3600
}

// RoundUp returns seconds rounded up to a whole multiple of increment (whole seconds of
// it count); a zero or negative increment, or zero seconds, leave seconds as they are.
func RoundUp(seconds int64, increment time.Duration) int64 {
	inc := int64(increment / time.Second)
	if inc <= 0 || seconds <= 0 {
		return seconds
	}
	return (seconds + inc - 1) / inc * inc
}

// ParseMinutes reads a decimal number of minutes such as Zammad's time_unit ("15.0",
// "7.5", "0,25") and returns it in whole seconds, rounded half up. It never goes through
// a float. It fails with ErrBadMinutes on a sign, an exponent, an empty string, more than
// nine decimals or more than a billion minutes.
func ParseMinutes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(strings.Replace(t, ",", ".", 1), ".")
	if whole == "" && frac == "" || len(whole) > 10 || len(frac) > 9 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w, not %q", ErrBadMinutes, s)
	}
	var w, f int64
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	if w > 1_000_000_000 {
		return 0, fmt.Errorf("%w, not %q", ErrBadMinutes, s)
	}
	scale := int64(1)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		for range frac {
			scale *= 10
		}
	}
	// f/scale minutes is f*60/scale seconds; half up is +scale/2 before dividing.
	return w*60 + (f*60*2+scale)/(2*scale), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// fixed2 writes hundredths as a decimal with exactly two places and the given separator.
func fixed2(hundredths int64, sep string) string {
	sign := ""
	if hundredths < 0 {
		sign, hundredths = "-", -hundredths
	}
	return fmt.Sprintf("%s%d%s%02d", sign, hundredths/100, sep, hundredths%100)
}

// minutesText writes seconds as minutes with at most two decimals (half up, away from
// zero), without trailing zeros: 3000 s → "50", 450 s → "7.5", 20 s → "0.33".
func minutesText(seconds int64, sep string) string {
	neg := seconds < 0
	if neg {
		seconds = -seconds
	}
	h := (seconds*100*2 + 60) / 120 // hundredths of a minute, half up
	if neg {
		h = -h
	}
	s := fixed2(h, sep)
	s = strings.TrimSuffix(s, "0")
	s = strings.TrimSuffix(s, "0")
	s = strings.TrimSuffix(s, sep)
	if s == "-0" {
		s = "0"
	}
	return s
}
