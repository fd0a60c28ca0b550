package main

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk/freshdesk"
	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/reconcile"
)

const catchupAgent = 5

// catchupContract covers converge.at on the 24/7 calendar with a 60 min first response
// (at risk from 80 %) and no quota to speak of.
func catchupContract(base time.Time, firstResponse string) map[string]any {
	fr := map[string]string{"low": firstResponse, "medium": firstResponse, "high": firstResponse, "critical": firstResponse}
	res := map[string]string{"low": "8h", "medium": "8h", "high": "8h", "critical": "8h"}
	return map[string]any{
		"customer": "Converge GmbH", "plan": "sla1", "starts_on": base.AddDate(0, -2, 0).Format("2006-01-02"),
		"domains": []string{"converge.at"}, "calendar": map[string]any{"preset": "24x7"},
		"first_response": fr, "resolution": res, "at_risk_percent": 80, "quota_per_month": 100000,
		"hourly_rate_cents": 9600,
	}
}

// catchupDesk is a fake helpdesk as the catch-up tests change it: like people in the
// helpdesk, without any webhook reaching slaguard.
type catchupDesk interface {
	name() string
	// create opens ticket id for customer i (kunde<i>@converge.at) with a first message.
	create(id, i int)
	// pause: an agent sets the ticket to wait on the customer.
	pause(id int)
	// answer: customer i writes again and the ticket is open again.
	answer(id, i int)
	tags(id int) []string
	// confirmations counts slaguard's public replies.
	confirmations(id int) int
	// writes lists every write slaguard made, in order.
	writes() []string
	// endedPauses reports whether the helpdesk's API tells a pause that has ended.
	endedPauses() bool
}

func TestTicketsNoWebhookEverAnnouncedAreEnforcedAfterOnePassWithPausesFromHistory(t *testing.T) {
	for _, name := range []string{"zammad", "zendesk", "freshdesk"} {
		t.Run(name, func(t *testing.T) {
			base := clocktest.Now().Truncate(time.Minute)
			clk := &manualClock{now: base}
			rig := newCatchupRig(t, clk)
			rig.start(nil)
			desk := rig.desk(name)
			enforcedAfterOnePass(t, rig, clk, desk)
		})
	}
}

// enforcedAfterOnePass: 50 tickets exist only in the helpdesk, created 50 minutes ago.
// The even ones were set to wait on the customer at minute 5 — and, where the API tells
// an ended pause, the customer wrote again at minute 25, which reopened them; the odd
// ones were left alone. No webhook ever reached slaguard. One pass enforces them all,
// with the pauses from the helpdesk's history; a second pass writes nothing.
func enforcedAfterOnePass(t *testing.T, rig *catchupRig, clk *manualClock, desk catchupDesk) {
	base := clk.Now()
	if code := rig.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "60m"), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	created := base.Add(-50 * time.Minute)
	for i := 0; i < 50; i++ {
		id := 1000 + i
		clk.Set(created)
		desk.create(id, i)
		if i%2 == 0 {
			clk.Set(created.Add(5 * time.Minute))
			desk.pause(id)
			if desk.endedPauses() {
				clk.Set(created.Add(25 * time.Minute))
				desk.answer(id, i)
			}
		}
	}
	clk.Set(base)
	r := rig.reconciler(desk.name())
	res, err := r.Pass(context.Background(), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Examined != 50 || res.Behind != 50 || res.Tickets != 50 {
		t.Errorf("pass examined %d, %d behind, fed %d tickets; want 50 each", res.Examined, res.Behind, res.Tickets)
	}
	// Each odd ticket lost its creation (with its message); each even one that too and
	// its pause, and where the pause ended, the customer's answer that reopened it.
	want := 25*1 + 25*2
	if desk.endedPauses() {
		want = 25*1 + 25*3
	}
	if res.Recovered != want {
		t.Errorf("recovered %d events, want %d", res.Recovered, want)
	}
	rig.settle()
	for i := 0; i < 50; i++ {
		id := 1000 + i
		tags := desk.tags(id)
		// 50 of 60 minutes used is at risk (80 %); 30 (20 minutes paused) or 5 (paused
		// since minute 5) is not.
		if at := hasTag(tags, "sla-at-risk-first-response"); at != (i%2 == 1) {
			t.Errorf("ticket %d (paused: %v): at-risk tag %v, tags %v", id, i%2 == 0, at, tags)
		}
		if n := desk.confirmations(id); n != 1 {
			t.Errorf("ticket %d got %d confirmations, want 1", id, n)
		}
	}
	var ticket struct {
		ContractID string `json:"contract_id"`
	}
	if code := rig.api(http.MethodGet, "/api/v1/tickets/"+desk.name()+"/1000", nil, &ticket); code != http.StatusOK || ticket.ContractID == "" {
		t.Errorf("GET ticket 1000: %d %+v", code, ticket)
	}

	// A second pass over the same tickets finds everything seen and writes nothing.
	before := desk.writes()
	res, err = r.Pass(context.Background(), base.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Recovered != 0 || res.Tickets != 0 {
		t.Errorf("second pass recovered %d events on %d tickets, want none", res.Recovered, res.Tickets)
	}
	rig.settle()
	if diff := cmp.Diff(before, desk.writes()); diff != "" {
		t.Errorf("the second pass wrote (-before +after):\n%s", diff)
	}
}

// TestZendeskCatchupGoesOnFromItsExportCursorAfterARestart: the watermark keeps Zendesk's
// after_cursor, and the next process's pass asks the export for it, not for a start time.
func TestZendeskCatchupGoesOnFromItsExportCursorAfterARestart(t *testing.T) {
	base := clocktest.Now().Truncate(time.Minute)
	clk := &manualClock{now: base}
	rig := newCatchupRig(t, clk)
	rig.start(nil)
	desk := rig.desk("zendesk")
	if code := rig.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "60m"), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	clk.Set(base.Add(-10 * time.Minute))
	desk.create(2000, 1)
	clk.Set(base)
	if _, err := rig.reconciler("zendesk").Pass(context.Background(), base.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	rig.settle()
	st, err := reconcile.LoadState(context.Background(), rig.app.rdb, "zendesk")
	if err != nil || st.Watermark.Cursor == "" {
		t.Fatalf("stored watermark %+v (%v): want the export's after_cursor", st.Watermark, err)
	}

	// slaguard restarts; meanwhile a customer opens another ticket.
	rig.down()
	clk.Advance(time.Minute)
	desk.create(2001, 2)
	clk.Advance(2 * time.Minute) // past the export's last minute
	rig.start(nil)
	res, err := rig.reconciler("zendesk").Pass(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rig.Zendesk.RequestsTo(http.MethodGet, "/api/v2/incremental/tickets/cursor.json")
	last := reqs[len(reqs)-1].Query
	if got := last["cursor"]; len(got) != 1 || got[0] != st.Watermark.Cursor || len(last["start_time"]) != 0 {
		t.Errorf("the pass after the restart asked for %v, want cursor %q", last, st.Watermark.Cursor)
	}
	if res.Tickets != 1 {
		t.Errorf("the pass after the restart fed %d tickets, want the new one", res.Tickets)
	}
	rig.settle()
	if n := desk.confirmations(2001); n != 1 {
		t.Errorf("ticket 2001 got %d confirmations, want 1", n)
	}
}

// desk is the rig's fake helpdesk name as a catchupDesk.
func (r *catchupRig) desk(name string) catchupDesk {
	switch name {
	case "zendesk":
		return catchupZendesk{r.Zendesk}
	case "freshdesk":
		return catchupFreshdesk{r.Freshdesk}
	}
	return catchupZammad{r.Zammad}
}

type catchupZammad struct{ z *zammadfake.Server }

func (d catchupZammad) name() string      { return "zammad" }
func (d catchupZammad) endedPauses() bool { return true }
func (d catchupZammad) create(id, i int) {
	d.z.Create(zammadfake.Ticket{ID: id, Title: "Frage " + strconv.Itoa(i), CustomerID: 200 + i,
		CustomerEmail: "kunde" + strconv.Itoa(i) + "@converge.at"}, zammadfake.Article{Body: "Eine Frage zum Shop."})
}
func (d catchupZammad) pause(id int) {
	d.z.Change(id, catchupAgent, func(t *zammadfake.Ticket) { t.State = "pending reminder" })
}
func (d catchupZammad) answer(id, i int) {
	d.z.AddArticle(id, zammadfake.Article{Sender: "Customer", CreatedByID: 200 + i, Body: "Noch offen."})
	d.z.Change(id, 200+i, func(t *zammadfake.Ticket) { t.State = "open" })
}
func (d catchupZammad) tags(id int) []string { return d.z.Tags(id) }
func (d catchupZammad) confirmations(id int) int {
	n := 0
	for _, a := range d.z.Articles(id) {
		if a.CreatedByID == zammadfake.DefaultMe.ID && !a.Internal && a.Type == "email" {
			n++
		}
	}
	return n
}
func (d catchupZammad) writes() []string { return writeBacks(d.z) }

type catchupZendesk struct{ z *zendeskfake.Server }

func (d catchupZendesk) name() string      { return "zendesk" }
func (d catchupZendesk) endedPauses() bool { return true }
func (d catchupZendesk) create(id, i int) {
	d.z.AddUser(zendeskfake.User{ID: int64(200 + i), Email: "kunde" + strconv.Itoa(i) + "@converge.at", Role: "end-user"})
	d.z.PutTicket(zendeskfake.Ticket{ID: int64(id), Subject: "Frage " + strconv.Itoa(i), Status: "new", Priority: "normal",
		RequesterID: int64(200 + i), Via: "web"}, int64(200+i))
	d.z.AddComment(zendeskfake.Comment{TicketID: int64(id), AuthorID: int64(200 + i), Public: true, Body: "Eine Frage zum Shop.", Via: "web"})
}
func (d catchupZendesk) set(id, by int, status string) {
	t, _ := d.z.Ticket(int64(id))
	t.Status, t.UpdatedAt = status, time.Time{}
	d.z.PutTicket(t, int64(by))
}
func (d catchupZendesk) pause(id int) { d.set(id, catchupAgent, "pending") }
func (d catchupZendesk) answer(id, i int) {
	d.z.AddComment(zendeskfake.Comment{TicketID: int64(id), AuthorID: int64(200 + i), Public: true, Body: "Noch offen.", Via: "web"})
	d.set(id, 200+i, "open")
}
func (d catchupZendesk) tags(id int) []string { return d.z.Tags(int64(id)) }
func (d catchupZendesk) confirmations(id int) int {
	n := 0
	for _, c := range d.z.Comments(int64(id)) {
		if c.AuthorID == d.z.Me().ID && c.Public {
			n++
		}
	}
	return n
}
func (d catchupZendesk) writes() []string { return fakeWrites(d.z.Requests()) }

type catchupFreshdesk struct{ f *freshdeskfake.Server }

func (d catchupFreshdesk) name() string { return "freshdesk" }

// endedPauses: Freshdesk's API keeps no status history, only when the current status
// was set (stats.status_updated_at).
func (d catchupFreshdesk) endedPauses() bool { return false }
func (d catchupFreshdesk) create(id, i int) {
	d.f.AddContact(freshdeskfake.Contact{ID: int64(200 + i), Email: "kunde" + strconv.Itoa(i) + "@converge.at"})
	d.f.PutTicket(freshdeskfake.Ticket{ID: int64(id), Subject: "Frage " + strconv.Itoa(i), Description: "Eine Frage zum Shop.",
		Status: freshdesk.StatusOpen, Priority: 2, Source: 2, RequesterID: int64(200 + i)})
}
func (d catchupFreshdesk) pause(id int) {
	t, _ := d.f.Ticket(int64(id))
	t.Status, t.UpdatedAt = freshdesk.StatusPending, time.Time{}
	d.f.PutTicket(t)
}
func (d catchupFreshdesk) answer(id, i int) {
	d.f.AddConversation(freshdeskfake.Conversation{TicketID: int64(id), UserID: int64(200 + i), Incoming: true, Body: "Noch offen."})
	t, _ := d.f.Ticket(int64(id))
	t.Status, t.UpdatedAt = freshdesk.StatusOpen, time.Time{}
	d.f.PutTicket(t)
}
func (d catchupFreshdesk) tags(id int) []string { return d.f.Tags(int64(id)) }
func (d catchupFreshdesk) confirmations(id int) int {
	n := 0
	for _, c := range d.f.Conversations(int64(id)) {
		if c.UserID == d.f.Me().ID && !c.Private {
			n++
		}
	}
	return n
}
func (d catchupFreshdesk) writes() []string { return fakeWrites(d.f.Requests()) }

// fakeWrites lists the writes among a fake's requests (zendeskfake.Request and
// freshdeskfake.Request are one type): method, path and body.
func fakeWrites(reqs []zendeskfake.Request) []string {
	var out []string
	for _, q := range reqs {
		if q.Method != http.MethodGet {
			out = append(out, q.Method+" "+q.Path+" "+string(q.Raw))
		}
	}
	return out
}
