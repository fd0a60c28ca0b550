package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketapi"
	"github.com/monobunt/slaguard/ticketstore"
)

const (
	agentID    = 3
	customerID = 12
)

// secondsContract is a contract whose targets are seconds on the 24/7 calendar, so the
// whole life of a ticket fits in a test.
func secondsContract() map[string]any {
	fr := map[string]string{"low": "3s", "medium": "3s", "high": "3s", "critical": "3s"}
	res := map[string]string{"low": "6s", "medium": "6s", "high": "6s", "critical": "6s"}
	return map[string]any{
		"customer": "Customer Corp", "plan": "sla1", "starts_on": "2020-01-01",
		"organizations": []string{"Customer Corp"}, "domains": []string{"customer.example"},
		"calendar": map[string]any{"preset": "24x7"}, "first_response": fr, "resolution": res,
		"at_risk_percent": 50, "hourly_rate_cents": 9600, "emergency_phone": "+43 1 234 56 78",
	}
}

// quietContract is a contract for load and fault tests: targets of hours (no marks but
// the confirmation while a test runs) and no ticket over quota.
func quietContract() map[string]any {
	c := secondsContract()
	c["first_response"] = map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
	c["resolution"] = map[string]string{"low": "2h", "medium": "2h", "high": "2h", "critical": "2h"}
	c["quota_per_month"] = 100000
	return c
}

// ticketOps drives a ticket's life in the fake Zammad and tells slaguard about each step
// the way Zammad's trigger would.
type ticketOps struct {
	s *testService
	// copies > 1 delivers every change that often: the same delivery id again, and
	// under new delivery ids (as a helpdesk that re-sends), in random order and at once.
	copies int
}

func (o ticketOps) create(id int, title, channel, priority, body string) {
	now := clocktest.Now()
	t := zammadfake.Ticket{ID: id, Title: title, State: "new", Priority: priority,
		OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: customerID,
		CustomerEmail: "max@customer.example", CreateArticleType: channel, CreatedAt: now, UpdatedAt: now}
	o.s.Zammad.AddTicket(t)
	art := &zammadfake.Article{ID: id*10 + 1, TicketID: id, Sender: "Customer", Type: channel,
		Subject: title, Body: body, CreatedAt: now, CreatedByID: customerID}
	o.deliver(id, art)
}

// change applies f to the ticket as user `by`, with an optional article, and delivers it.
func (o ticketOps) change(id, by int, f func(*zammadfake.Ticket), art *zammadfake.Article) {
	t, ok := o.s.Zammad.Ticket(id)
	if !ok {
		o.s.t.Fatalf("no ticket %d", id)
	}
	if f != nil {
		f(&t)
	}
	t.UpdatedAt = clocktest.Now()
	t.UpdatedByID = by
	o.s.Zammad.AddTicket(t)
	if art != nil && art.CreatedAt.IsZero() {
		art.CreatedAt = t.UpdatedAt // Zammad stamps every article; the door refuses one without
	}
	o.deliver(id, art)
}

func (o ticketOps) reply(id int) {
	art := &zammadfake.Article{ID: id*10 + 2, TicketID: id, Sender: "Agent", Type: "email",
		Body: "Wir sehen uns das an.", CreatedAt: clocktest.Now(), CreatedByID: agentID}
	o.change(id, agentID, func(t *zammadfake.Ticket) { t.State = "open" }, art)
}

func (o ticketOps) deliver(id int, art *zammadfake.Article) {
	p, _ := o.s.Zammad.Payload(id, art)
	first := zammadfake.NewDeliveryID()
	ids := []string{first}
	for i := 1; i < o.copies; i++ {
		if i%2 == 1 {
			ids = append(ids, first)
		} else {
			ids = append(ids, zammadfake.NewDeliveryID())
		}
	}
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	var wg sync.WaitGroup
	for _, d := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := o.s.deliver(p, d); code != http.StatusAccepted {
				o.s.t.Errorf("delivery of ticket %d: %d", id, code)
			}
		}()
	}
	wg.Wait()
}

func (s *testService) ticket(id int) ticketapi.TicketView {
	var v ticketapi.TicketView
	if code := s.api(http.MethodGet, fmt.Sprintf("/api/v1/tickets/zammad/%d", id), nil, &v); code != 200 {
		s.t.Fatalf("ticket %d: %d", id, code)
	}
	return v
}

// notes returns the internal notes slaguard wrote on a ticket.
func notes(z *zammadfake.Server, id int) []string {
	var out []string
	for _, a := range z.Articles(id) {
		if a.Internal && a.CreatedByID == zammadfake.DefaultMe.ID {
			out = append(out, a.Body)
		}
	}
	return out
}

func countTag(z *zammadfake.Server, id int, tag string) int {
	n := 0
	for _, r := range z.RequestsTo(http.MethodPost, "/api/v1/tags/add") {
		m := r.BodyMap()
		if fmt.Sprint(m["o_id"]) == fmt.Sprint(id) && m["item"] == tag {
			n++
		}
	}
	return n
}

func TestEnforcementEndToEnd(t *testing.T) {
	clean := runScenario(t, serviceOptions{}, 1)
	t.Run("duplicated, 2 web and 3 worker processes", func(t *testing.T) {
		procs := runScenario(t, serviceOptions{noWorker: true, webProcs: 2, workerProcs: 3}, 2)
		if diff := cmp.Diff(clean, procs); diff != "" {
			t.Errorf("2 web and 3 worker processes wrote other requests than one process (-clean +procs):\n%s", diff)
		}
	})
	t.Run("duplicated, shuffled, 4 workers", func(t *testing.T) {
		messy := runScenario(t, serviceOptions{workers: 3}, 3)
		if diff := cmp.Diff(clean, messy); diff != "" {
			t.Errorf("deliveries ×3 in shuffled order with 4 workers wrote other requests than one clean delivery (-clean +messy):\n%s", diff)
		}
	})
}

// runScenario plays the policy's day against a fresh service and returns what the fake
// Zammad received, per ticket, in a form that does not depend on timing.
func runScenario(t *testing.T, opt serviceOptions, copies int) map[int]writeSummary {
	s := startService(t, opt)
	var created map[string]any
	if code := s.api(http.MethodPost, "/api/v1/contracts", secondsContract(), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d %v", code, created)
	}
	o := ticketOps{s: s, copies: copies}
	z := s.Zammad

	// 1. Created, never answered: confirmation, then at risk and breached, once each.
	o.create(101, "Frage zur Rechnung", "web", "2 normal", "Wo finde ich die Rechnung?")
	// 2. Answered in time and closed in time: no breach.
	o.create(102, "Logo tauschen", "web", "2 normal", "Bitte das Logo tauschen.")
	// 3. Waits on the customer for 2 s: the resolution deadline moves by the pause.
	o.create(103, "Formular sendet nicht", "web", "2 normal", "Das Kontaktformular sendet nichts.")
	// 4. Shop-down e-mail: corrected to high with a note; the agent then sets medium.
	o.create(104, "Shop nicht erreichbar", "email", "2 normal", "Seit heute früh ist der Shop offline.")

	time.Sleep(500 * time.Millisecond) // let 102's first response come before its at-risk point
	o.reply(102)
	o.change(102, agentID, func(t *zammadfake.Ticket) { t.State = "closed" }, nil)
	o.change(103, customerID, func(t *zammadfake.Ticket) { t.State = "pending reminder" }, nil)

	eventually(t, 5*time.Second, "104 corrected to high", func() bool {
		tk, _ := z.Ticket(104)
		return tk.Priority == "3 high"
	})
	if n := notes(z, 104); len(n) == 0 || !strings.Contains(strings.Join(n, "\n"), "nicht erreichbar") {
		t.Errorf("correction of 104 came without a note naming the deciding words: %q", n)
	}
	o.change(104, agentID, func(t *zammadfake.Ticket) { t.Priority = "2 normal" }, nil)

	time.Sleep(2 * time.Second)
	o.change(103, customerID, func(t *zammadfake.Ticket) { t.State = "open" }, nil)

	// 5. Six tickets this month: the sixth is over quota.
	o.create(105, "Newsletter Frage", "web", "1 low", "Wie funktioniert der Newsletter?")
	o.create(106, "Bild austauschen", "web", "1 low", "Bitte Bild tauschen.")
	// The month the six tickets count in: taken now, not at the end of the scenario, which
	// may already be in the next month (a run in the last seconds of a month).
	month := sla.Month(clocktest.Now())

	eventually(t, 15*time.Second, "101 breached on both clocks", func() bool {
		tags := z.Tags(101)
		return hasTag(tags, "sla-breached-first-response") && hasTag(tags, "sla-breached-resolution")
	})
	eventually(t, 10*time.Second, "106 over quota", func() bool { return hasTag(z.Tags(106), "sla-over-quota") })
	// Let every clock run out, so both runs are compared in their final state.
	for _, id := range []int{103, 104, 105, 106} {
		eventually(t, 20*time.Second, fmt.Sprintf("%d breached on resolution", id), func() bool {
			return hasTag(z.Tags(id), "sla-breached-resolution")
		})
	}
	time.Sleep(1500 * time.Millisecond) // a last chance for anything written twice to show

	for _, tag := range []string{"sla-at-risk-first-response", "sla-breached-first-response",
		"sla-at-risk-resolution", "sla-breached-resolution"} {
		if n := countTag(z, 101, tag); n != 1 {
			t.Errorf("ticket 101: tag %s written %d times, want once", tag, n)
		}
	}
	var confirmations int
	for _, a := range z.Articles(101) {
		if !a.Internal && a.CreatedByID == zammadfake.DefaultMe.ID {
			confirmations++
			if !strings.Contains(a.Body, "31000101") {
				t.Errorf("confirmation does not name the ticket number: %q", a.Body)
			}
		}
	}
	if confirmations != 1 {
		t.Errorf("ticket 101: %d confirmations, want 1", confirmations)
	}
	if tags := z.Tags(102); hasTag(tags, "sla-breached-first-response") || hasTag(tags, "sla-breached-resolution") {
		t.Errorf("ticket 102 was answered and closed in time but got %v", tags)
	}
	v103 := s.ticket(103)
	res := v103.Status.Resolution
	if got := res.Deadline.Sub(v103.CreatedAt); got < 7900*time.Millisecond {
		t.Errorf("ticket 103: resolution deadline %s after creation; want 6 s plus the ~2 s pause", got)
	}
	if tk, _ := z.Ticket(104); tk.Priority != "2 normal" {
		t.Errorf("ticket 104: the agent set medium, slaguard changed it to %s", tk.Priority)
	}
	if n := priorityWrites(z, 104); n != 1 {
		t.Errorf("ticket 104: %d priority writes, want the one correction (slaguard must not fight the agent)", n)
		dumpPUTs(t, z, 104)
	}
	if hasTag(z.Tags(105), "sla-over-quota") {
		t.Errorf("ticket 105 is the 5th of the month, not over quota")
	}
	var usage ticketstore.Usage
	s.api(http.MethodGet, fmt.Sprintf("/api/v1/contracts/%s/usage?month=%s", created["id"], month), nil, &usage)
	if usage.Used != 6 || usage.OverQuota != 1 {
		t.Errorf("usage = %+v, want 6 used, 1 over quota", usage)
	}
	if copies == 1 {
		checkMetrics(t, s)
	}
	checkNoTaskFailed(t, s)
	checkEachTaskRanOnce(t, s)
	s.stop() // before the next scenario empties the shared Redis
	return summarize(z, 101, 106)
}

// writeSummary is what slaguard wrote to one ticket, without times and texts.
type writeSummary struct {
	Tags       []string // in the order they were added
	Priorities []string
	Notes      int
	Replies    int
}

func summarize(z *zammadfake.Server, from, to int) map[int]writeSummary {
	out := map[int]writeSummary{}
	for id := from; id <= to; id++ {
		var w writeSummary
		for _, r := range z.RequestsTo(http.MethodPost, "/api/v1/tags/add") {
			if m := r.BodyMap(); fmt.Sprint(m["o_id"]) == fmt.Sprint(id) {
				w.Tags = append(w.Tags, fmt.Sprint(m["item"]))
			}
		}
		for _, r := range z.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d", id)) {
			m := r.BodyMap()
			if p, ok := m["priority"]; ok {
				w.Priorities = append(w.Priorities, fmt.Sprint(p))
			}
			if _, ok := m["article"]; ok {
				w.Notes++
			}
		}
		for _, r := range z.RequestsTo(http.MethodPost, "/api/v1/ticket_articles") {
			if m := r.BodyMap(); fmt.Sprint(m["ticket_id"]) == fmt.Sprint(id) {
				w.Replies++
			}
		}
		out[id] = w
	}
	return out
}

func dumpPUTs(t *testing.T, z *zammadfake.Server, id int) {
	for _, r := range z.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d", id)) {
		t.Logf("PUT %d: %v", id, r.BodyMap())
	}
}

func priorityWrites(z *zammadfake.Server, id int) int {
	n := 0
	for _, r := range z.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d", id)) {
		if _, ok := r.BodyMap()["priority"]; ok {
			n++
		}
	}
	return n
}

// checkMetrics: after a day of tickets, /metrics shows every series an operator watches.
func checkMetrics(t *testing.T, s *testService) {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, series := range []string{
		`slaguard_webhook_deliveries_total{helpdesk="zammad",result="accepted"}`,
		`slaguard_events_applied_total{helpdesk="zammad",result="new"}`,
		`slaguard_timers_armed_total`,
		`slaguard_timers_fired_total{result="evaluated"}`,
		`slaguard_timer_lateness_seconds_bucket`,
		`slaguard_writebacks_total{helpdesk="zammad",kind="breached-resolution",result="ok"`,
		`slaguard_marks_total{contract="`,
		`slaguard_queue_tasks{queue="events"`,
		`slaguard_http_requests_total{method="POST",route="/webhooks/:helpdesk",status="202"}`,
	} {
		if !strings.Contains(string(body), series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
}
