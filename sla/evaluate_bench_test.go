package sla

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fiftySnapshots is a busy ticket: replies, notes, waits, reopenings and priority changes.
func fiftySnapshots(tb testing.TB) Ticket {
	k := newTicket(tb, "2026-11-23 09:00", Medium).title("Zahlungsanbieter meldet Fehler").says(cartBroken).
		body(strings.Repeat("Beim Bezahlen im Shop kommt eine Fehlermeldung. ", 40))
	at := vt(tb, "2026-11-23 09:00")
	for i := 1; len(k.t.Snapshots) < 50; i++ {
		at = at.Add(97 * time.Minute)
		s := local(at)
		switch i % 6 {
		case 0:
			k.reply(s)
		case 1:
			k.note(s)
		case 2:
			k.state(s, "pending")
		case 3:
			k.state(s, "open")
		case 4:
			k.prio(s, []Priority{Low, Medium, High}[i%3])
		case 5:
			k.article(s, Message{ID: fmt.Sprint("c", i), Public: true, Channel: ChannelEmail, Body: "Danke"})
		}
	}
	return k.ticket()
}

func BenchmarkEvaluate(b *testing.B) {
	t := fiftySnapshots(b)
	terms, rules := planTerms(b, "sla1"), testRules(b)
	now := t.Snapshots[len(t.Snapshots)-1].At.Add(time.Hour)
	Evaluate(terms, t, rules, now) // build the calendar's year tables outside the loop
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(terms, t, rules, now)
	}
}
