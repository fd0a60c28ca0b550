package main

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
)

// TestEndToEndLatencyUnderLoad delivers new tickets at a steady rate through the real
// webhook endpoint and measures the time from each delivery to the write-back (the
// real-time confirmation) arriving at the fake Zammad. SLAGUARD_SCALE=1 only:
//
//	SLAGUARD_SCALE=1 go test -run TestEndToEndLatencyUnderLoad -v ./cmd/slaguard
func TestEndToEndLatencyUnderLoad(t *testing.T) {
	if os.Getenv("SLAGUARD_SCALE") == "" {
		t.Skip("set SLAGUARD_SCALE=1 to run")
	}
	rate, seconds := 500, 10
	if s := os.Getenv("SLAGUARD_SCALE_RATE"); s != "" {
		rate, _ = strconv.Atoi(s)
	}
	s := startService(t, serviceOptions{env: map[string]string{"SLAGUARD_LOG_LEVEL": "warn", "SLAGUARD_CONCURRENCY": "50", "SLAGUARD_WRITE_CONCURRENCY": os.Getenv("WC")}})
	if code := s.api(http.MethodPost, "/api/v1/contracts", quietContract(), nil); code != http.StatusCreated {
		t.Fatalf("contract: %d", code)
	}
	n := rate * seconds
	sent := make([]time.Time, n)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	begin := time.Now()
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := 100000 + i
			now := clocktest.Now()
			tk := zammadfake.Ticket{ID: id, Title: "Frage " + strconv.Itoa(i), State: "new", Priority: "2 normal",
				OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: customerID,
				CustomerEmail: "max@customer.example", CreateArticleType: "web", CreatedAt: now, UpdatedAt: now}
			s.Zammad.AddTicket(tk)
			p, _ := s.Zammad.Payload(id, &zammadfake.Article{ID: id * 10, TicketID: id, Sender: "Customer", Type: "web",
				Body: "Eine Frage.", CreatedAt: now, CreatedByID: customerID})
			sent[i] = time.Now()
			if code := s.deliver(p, zammadfake.NewDeliveryID()); code != http.StatusAccepted {
				t.Errorf("delivery %d: %d", i, code)
			}
		}(i)
	}
	wg.Wait()
	offered := float64(n) / time.Since(begin).Seconds()
	var lat []time.Duration
	eventually(t, 60*time.Second, "every confirmation written", func() bool {
		return len(s.Zammad.RequestsTo(http.MethodPost, "/api/v1/ticket_articles")) >= n
	})
	for _, r := range s.Zammad.RequestsTo(http.MethodPost, "/api/v1/ticket_articles") {
		id, _ := strconv.Atoi(fmt.Sprint(r.BodyMap()["ticket_id"]))
		if i := id - 100000; i >= 0 && i < n {
			lat = append(lat, r.At.Sub(sent[i]))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))] }
	t.Logf("%d tickets offered at %.0f/s: delivery → write-back p50 %s, p99 %s, max %s",
		n, offered, q(0.5).Round(time.Millisecond), q(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}
