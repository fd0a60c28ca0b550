package sla

import (
	"fmt"
	"time"
)

var germanWeekdays = [...]string{"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."}

var germanMonths = [...]string{"Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli",
	"August", "September", "Oktober", "November", "Dezember"}

// FormatVienna writes t the way Austrians read a deadline, in Europe/Vienna local time:
// "Mo., 30.11.2026 15:00". The zero time is written "—".
func FormatVienna(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	l := t.In(Vienna)
	return fmt.Sprintf("%s, %02d.%02d.%04d %02d:%02d", germanWeekdays[l.Weekday()], l.Day(), int(l.Month()), l.Year(), l.Hour(), l.Minute())
}

// FormatViennaEnglish writes t for the English half of a note, in Europe/Vienna local
// time with an English weekday: "Wed 2 Dec 2026 13:05". The zero time is written "—".
func FormatViennaEnglish(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(Vienna).Format("Mon 2 Jan 2006 15:04")
}

// germanMonth writes the Vienna calendar month of t: "November 2026".
func germanMonth(t time.Time) string {
	l := t.In(Vienna)
	return fmt.Sprintf("%s %d", germanMonths[l.Month()-1], l.Year())
}

// FormatBusinessTime writes a business-time duration for people: "8 h", "1 h 30 min", "45 min"; a
// target under a minute (test and demo contracts) in seconds: "30 s".
func FormatBusinessTime(d Duration) string {
	if d.D() < time.Minute {
		return fmt.Sprintf("%d s", int64(d.D().Round(time.Second)/time.Second))
	}
	t := d.D().Round(time.Minute)
	h, m := int64(t/time.Hour), int64((t%time.Hour)/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d min", m)
}
