package ticketstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/monobunt/slaguard/sla"
)

// The summary is stored small (the deadline in unix seconds) and read back whole, also
// as written before (RFC 3339).
func TestSummaryRoundTrip(t *testing.T) {
	s := Summary{ContractID: "c1", Number: "31004711", Title: "Shop", Priority: sla.High,
		FirstResp: sla.ClockRunning, Next: time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC), Marks: []string{"confirmation"}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"d":1796376600`; !containsStr(string(b), want) {
		t.Errorf("stored %s, want it to hold %s", b, want)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || !back.Next.Equal(s.Next) || back.Title != "Shop" || back.Marks[0] != "confirmation" {
		t.Errorf("read back %+v (%v)", back, err)
	}
	var old Summary
	if err := json.Unmarshal([]byte(`{"c":"c1","d":"2026-12-04T09:30:00Z"}`), &old); err != nil || !old.Next.Equal(s.Next) {
		t.Errorf("old format read as %+v (%v)", old, err)
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
