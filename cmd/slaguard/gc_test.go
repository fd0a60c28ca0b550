package main

import (
	"runtime/debug"
	"testing"
)

// TestWebRoleCollectsLessOften: `slaguard web` raises GOGC to webGCPercent, unless the
// environment sets GOGC; the other roles keep Go's default.
func TestWebRoleCollectsLessOften(t *testing.T) {
	for _, tc := range []struct {
		role, gogc string
		want       int
	}{
		{"web", "", webGCPercent},
		{"web", "100", 100},
		{"worker", "", 100},
		{"serve", "", 100},
	} {
		before := debug.SetGCPercent(100)
		tuneGC(tc.role, func(k string) string {
			if k == "GOGC" {
				return tc.gogc
			}
			return ""
		})
		if got := debug.SetGCPercent(before); got != tc.want {
			t.Errorf("%s with GOGC=%q: GC percent %d, want %d", tc.role, tc.gogc, got, tc.want)
		}
	}
}
