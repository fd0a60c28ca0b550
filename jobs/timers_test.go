package jobs

import (
	"testing"
	"time"
)

func TestCheckIDNamesTicketAndInstant(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 123e6, time.UTC)
	p, ok := parseCheckID(checkID("zammad:4711", at))
	if !ok || p.Ticket != "zammad:4711" || !p.At.Equal(at) {
		t.Errorf("parsed %+v %v", p, ok)
	}
	for _, bad := range []string{"check:zammad:4711:1", "c:zammad:4711:x", "c:nocolon"} {
		if _, ok := parseCheckID(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
