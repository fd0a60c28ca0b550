package sla

import (
	"strings"
	"testing"
	"time"
)

// The English half of an at-risk note names the weekday in English, the German half in
// German: "Mi., 02.12.2026 13:05" / "Wed 2 Dec 2026 13:05".
func TestAtRiskNoteSpeaksEachLanguagesWeekday(t *testing.T) {
	due := time.Date(2026, 12, 2, 12, 5, 0, 0, time.UTC) // Wednesday 13:05 in Vienna
	c := Clock{Deadline: due, Target: Duration(8 * time.Hour), State: ClockBreached}
	ms := appendClockMarks(nil, c, &timeline{now: due.Add(time.Hour)}, "first-response", "Erstreaktion", "first response")
	if len(ms) == 0 {
		t.Fatal("no mark")
	}
	note := ms[len(ms)-1].Note
	de, en, _ := strings.Cut(note, "\n")
	if !strings.Contains(de, "Mi., 02.12.2026 13:05") {
		t.Errorf("German half: %q", de)
	}
	if !strings.Contains(en, "due Wed 2 Dec 2026 13:05 Vienna time") || strings.Contains(en, "Mi.") {
		t.Errorf("English half: %q", en)
	}
}
