package billing

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAmountRoundsHalfUpToTheCent(t *testing.T) {
	for _, tc := range []struct {
		seconds, rate, want int64
	}{
		{3600, 16000, 16000},     // an hour at EUR 160
		{90 * 60, 9600, 14400},   // 90 minutes at EUR 96
		{60, 9500, 158},          // 1 minute at EUR 95 = 158.33 cents
		{30, 100, 1},             // 0.833 cents → 1
		{18, 100, 1},             // exactly 0.5 cents → up
		{17, 100, 0},             // 0.47 cents → 0
		{7*60 + 30, 9600, 1200},  // 7.5 minutes
		{-90 * 60, 9600, -14400}, // an adjustment prices symmetrically
		{-18, 100, -1},           // half away from zero
		{0, 16000, 0},
	} {
		if got := AmountCents(tc.seconds, tc.rate); got != tc.want {
			t.Errorf("AmountCents(%d s, %d c/h) = %d, want %d", tc.seconds, tc.rate, got, tc.want)
		}
	}
}

// On random data the integer rounding equals exact rational arithmetic rounded half up,
// and an amount is never negative.
func TestAmountIsExactHalfUpOnRandomData(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	half := big.NewRat(1, 2)
	for i := 0; i < 20000; i++ {
		secs, rate := r.Int64N(1_000_000), r.Int64N(50_000)
		got := AmountCents(secs, rate)
		exact := new(big.Rat).SetFrac64(secs*rate, 3600)
		exact.Add(exact, half)
		want := new(big.Int).Quo(exact.Num(), exact.Denom()) // floor, as both are ≥ 0
		if got != want.Int64() || got < 0 {
			t.Fatalf("AmountCents(%d, %d) = %d, exact half up %s", secs, rate, got, want)
		}
	}
}

func TestRoundUpToTheIncrement(t *testing.T) {
	for _, tc := range []struct {
		seconds int64
		inc     time.Duration
		want    int64
	}{
		{7*60 + 30, 15 * time.Minute, 15 * 60},
		{15 * 60, 15 * time.Minute, 15 * 60},
		{15*60 + 1, 15 * time.Minute, 30 * 60},
		{61 * 60, 0, 61 * 60},
		{0, 15 * time.Minute, 0},
		{1, 500 * time.Millisecond, 1}, // no whole second: no increment
	} {
		if got := RoundUp(tc.seconds, tc.inc); got != tc.want {
			t.Errorf("RoundUp(%d, %s) = %d, want %d", tc.seconds, tc.inc, got, tc.want)
		}
	}
}

func TestParseMinutesIsExact(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "15.0", want: 900},
		{in: "7.5", want: 450},
		{in: "7,5", want: 450},
		{in: " 50 ", want: 3000},
		{in: "0.25", want: 15},
		{in: "0.33", want: 20},      // 19.8 s → 20
		{in: "0.0083333", want: 0},  // 0.499998 s → 0
		{in: "0.00833334", want: 1}, // 0.5000004 s → 1
		{in: "1.", want: 60},
		{in: ".5", want: 30},
		{in: "", bad: true},
		{in: ".", bad: true},
		{in: "-5", bad: true},
		{in: "+5", bad: true},
		{in: "1e3", bad: true},
		{in: "NaN", bad: true},
		{in: "1.2.3", bad: true},
		{in: "0.1234567890", bad: true},
		{in: "99999999999", bad: true},
	} {
		got, err := ParseMinutes(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrBadMinutes) {
				t.Errorf("ParseMinutes(%q) = %d, %v; want ErrBadMinutes", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMinutes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseMinutes(f *testing.F) {
	for _, s := range []string{"15.0", "7.5", "0,25", "", "-1", "1e9", "999999999.999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		secs, err := ParseMinutes(s)
		if err != nil {
			return
		}
		if secs < 0 || secs > 1_000_000_001*60 {
			t.Fatalf("ParseMinutes(%q) = %d", s, secs)
		}
	})
}

func TestMinutesText(t *testing.T) {
	for _, tc := range []struct {
		secs int64
		want string
	}{
		{3000, "50"}, {450, "7.5"}, {20, "0.33"}, {0, "0"}, {-450, "-7.5"}, {1, "0.02"}, {-1, "-0.02"}, {6000, "100"}, {630, "10.5"},
	} {
		if got := minutesText(tc.secs, "."); got != tc.want {
			t.Errorf("minutesText(%d) = %q, want %q", tc.secs, got, tc.want)
		}
	}
}
