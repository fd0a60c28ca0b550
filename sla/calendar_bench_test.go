package sla

import (
	"testing"
	"time"
)

var benchDurations = []struct {
	name string
	d    time.Duration
}{
	{"1h", time.Hour},
	{"72h", 72 * time.Hour},
	{"10000h", 10000 * time.Hour},
}

var benchSink time.Time

func BenchmarkAdd(b *testing.B) {
	cal := DefaultCalendar()
	start := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	pauses := []Interval{{From: start.Add(2 * time.Hour), To: start.Add(26 * time.Hour)}}
	for _, bd := range benchDurations {
		b.Run(bd.name, func(b *testing.B) {
			for b.Loop() {
				benchSink = cal.Add(start, bd.d, nil)
			}
		})
		b.Run(bd.name+"/pause", func(b *testing.B) {
			for b.Loop() {
				benchSink = cal.Add(start, bd.d, pauses)
			}
		})
	}
}

// BenchmarkAddReference times the minute-stepping reference on the same work. 10 000 h
// takes about a second an iteration; it runs only without -short.
func BenchmarkAddReference(b *testing.B) {
	ref := calendarsUnderTest(b)[0].ref
	start := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	for _, bd := range benchDurations {
		b.Run(bd.name, func(b *testing.B) {
			if bd.d > 1000*time.Hour && testing.Short() {
				b.Skip("slow without -short")
			}
			for b.Loop() {
				benchSink = ref.add(start, bd.d, nil, 20*365*24*time.Hour)
			}
		})
	}
}
