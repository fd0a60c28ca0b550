// Package clocktest gives tests the clock the service under test should see. Normally that
// is the host's clock; with SLAGUARD_TEST_CLOCK set to an RFC 3339 instant, every test that
// uses it runs as if the suite had been started at that instant (see scripts/anyhour.sh).
// Only tests import it: production code never reads SLAGUARD_TEST_CLOCK.
package clocktest

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/monobunt/slaguard/internal/clock"
)

// Env is the variable that shifts the tests' clock.
const Env = "SLAGUARD_TEST_CLOCK"

var (
	once  sync.Once
	now   func() time.Time
	shift time.Time
)

func load() {
	v := os.Getenv(Env)
	if v == "" {
		now = clock.System
		return
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(fmt.Sprintf("clocktest: %s=%q is not an RFC 3339 instant: %v", Env, v, err))
	}
	shift, now = t, clock.StartingAt(t)
}

// Clock returns the clock for the service under test: the host's clock, or the shifted one.
// All callers in one test process share one shifted clock.
func Clock() func() time.Time {
	once.Do(load)
	return now
}

// Now is Clock()().
func Now() time.Time { return Clock()() }

// Shifted reports the instant SLAGUARD_TEST_CLOCK names, if it is set.
func Shifted() (time.Time, bool) {
	once.Do(load)
	return shift, !shift.IsZero()
}
