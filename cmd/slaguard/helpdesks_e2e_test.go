package main

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/sla"
)

// desk drives tickets in one fake helpdesk the way its customers and agents would, and
// tells slaguard about each change the way that helpdesk's webhook would.
type desk interface {
	name() string
	create(id int, title, channel string, p sla.Priority, body string)
	reply(id int) // an agent's public reply; the ticket is open
	setState(id int, byAgent bool, state string)
	setPriority(id int, p sla.Priority) // by an agent
	priority(id int) sla.Priority
	tags(id int) []string
	notes(id int) []string   // slaguard's internal notes
	replies(id int) []string // slaguard's public replies
	number(id int) string
	// meaning is what slaguard wrote to the ticket, as the policy names it.
	meaning(id int) writeMeaning
}

// writeMeaning is a ticket's write-backs without the helpdesk's wording: the tags added,
// the priorities set, whether a note was written, how many replies went out.
type writeMeaning struct {
	Tags       []string
	Priorities []sla.Priority
	Noted      bool
	Replies    int
}

func (m *writeMeaning) addTag(tag string) {
	if !slices.Contains(m.Tags, tag) {
		m.Tags = append(m.Tags, tag)
		slices.Sort(m.Tags)
	}
}

// TestThePolicyDayOnEveryHelpdesk plays the day of TestEnforcementEndToEnd against
// Zammad, Zendesk and Freshdesk, each on a service that serves all three at once, and
// wants the same write-backs, by meaning, from each.
func TestThePolicyDayOnEveryHelpdesk(t *testing.T) {
	var want map[int]writeMeaning
	for _, name := range []string{"zammad", "zendesk", "freshdesk"} {
		t.Run(name, func(t *testing.T) {
			s := startService(t, serviceOptions{allHelpdesks: true})
			var d desk
			switch name {
			case "zammad":
				d = zammadDesk{ticketOps{s: s, copies: 1}}
			case "zendesk":
				d = newZendeskDesk(s)
			case "freshdesk":
				d = newFreshdeskDesk(s)
			}
			got := policyDay(t, s, d)
			if want == nil {
				want = got
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s wrote other things than zammad (-zammad +%s):\n%s", name, name, diff)
			}
		})
	}
}

// policyDay is runScenario's day on any helpdesk.
func policyDay(t *testing.T, s *testService, d desk) map[int]writeMeaning {
	var created map[string]any
	if code := s.api(http.MethodPost, "/api/v1/contracts", secondsContract(), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d %v", code, created)
	}
	d.create(101, "Frage zur Rechnung", "web", sla.Medium, "Wo finde ich die Rechnung?")
	d.create(102, "Logo tauschen", "web", sla.Medium, "Bitte das Logo tauschen.")
	d.create(103, "Formular sendet nicht", "web", sla.Medium, "Das Kontaktformular sendet nichts.")
	d.create(104, "Shop nicht erreichbar", "email", sla.Medium, "Seit heute früh ist der Shop offline.")

	time.Sleep(500 * time.Millisecond)
	d.reply(102)
	d.setState(102, true, "closed")
	d.setState(103, false, "pending")

	eventually(t, 5*time.Second, "104 corrected to high", func() bool { return d.priority(104) == sla.High })
	if n := d.notes(104); len(n) == 0 || !strings.Contains(strings.Join(n, "\n"), "nicht erreichbar") {
		t.Errorf("correction of 104 came without a note naming the deciding words: %q", n)
	}
	d.setPriority(104, sla.Medium)

	time.Sleep(2 * time.Second)
	d.setState(103, false, "open")

	d.create(105, "Newsletter Frage", "web", sla.Low, "Wie funktioniert der Newsletter?")
	d.create(106, "Bild austauschen", "web", sla.Low, "Bitte Bild tauschen.")
	month := sla.Month(clocktest.Now())

	eventually(t, 15*time.Second, "101 breached on both clocks", func() bool {
		tags := d.tags(101)
		return hasTag(tags, "sla-breached-first-response") && hasTag(tags, "sla-breached-resolution")
	})
	eventually(t, 20*time.Second, "106 over quota", func() bool { return hasTag(d.tags(106), "sla-over-quota") })
	for _, id := range []int{103, 104, 105, 106} {
		eventually(t, 20*time.Second, fmt.Sprintf("%d breached on resolution", id), func() bool {
			return hasTag(d.tags(id), "sla-breached-resolution")
		})
	}
	time.Sleep(1500 * time.Millisecond)

	if r := d.replies(101); len(r) != 1 || !strings.Contains(r[0], d.number(101)) {
		t.Errorf("ticket 101: confirmations %q, want one naming the ticket number %s", r, d.number(101))
	}
	if tags := d.tags(102); hasTag(tags, "sla-breached-first-response") || hasTag(tags, "sla-breached-resolution") {
		t.Errorf("ticket 102 was answered and closed in time but got %v", tags)
	}
	var v struct {
		CreatedAt time.Time `json:"created_at"`
		Status    struct {
			Resolution struct {
				Deadline time.Time `json:"deadline"`
			} `json:"resolution"`
		} `json:"status"`
	}
	s.api(http.MethodGet, "/api/v1/tickets/"+d.name()+"/103", nil, &v)
	if got := v.Status.Resolution.Deadline.Sub(v.CreatedAt); got < 7900*time.Millisecond {
		t.Errorf("ticket 103: resolution deadline %s after creation; want 6 s plus the ~2 s pause", got)
	}
	if p := d.priority(104); p != sla.Medium {
		t.Errorf("ticket 104: the agent set medium, slaguard changed it to %s", p)
	}
	if hasTag(d.tags(105), "sla-over-quota") {
		t.Errorf("ticket 105 is the 5th of the month, not over quota")
	}
	var usage struct {
		Used      int `json:"used"`
		OverQuota int `json:"over_quota"`
	}
	s.api(http.MethodGet, fmt.Sprintf("/api/v1/contracts/%s/usage?month=%s", created["id"], month), nil, &usage)
	if usage.Used != 6 || usage.OverQuota != 1 {
		t.Errorf("usage = %+v, want 6 used, 1 over quota", usage)
	}
	checkNoTaskFailed(t, s)
	s.stop()
	out := map[int]writeMeaning{}
	for id := 101; id <= 106; id++ {
		out[id] = d.meaning(id)
	}
	return out
}

// post delivers a webhook body to slaguard.
func (s *testService) post(helpdeskName string, body []byte, h http.Header) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/"+helpdeskName, bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		s.t.Errorf("%s delivery: %d", helpdeskName, resp.StatusCode)
	}
}

// zammadDesk is the Zammad of runScenario.
type zammadDesk struct{ o ticketOps }

var zammadPriorities = map[sla.Priority]string{sla.Low: "1 low", sla.Medium: "2 normal", sla.High: "3 high"}

func (z zammadDesk) name() string { return "zammad" }
func (z zammadDesk) create(id int, title, channel string, p sla.Priority, body string) {
	z.o.create(id, title, channel, zammadPriorities[p], body)
}
func (z zammadDesk) reply(id int) { z.o.reply(id) }
func (z zammadDesk) setState(id int, byAgent bool, state string) {
	by := customerID
	if byAgent {
		by = agentID
	}
	if state == "pending" {
		state = "pending reminder"
	}
	z.o.change(id, by, func(t *zammadfake.Ticket) { t.State = state }, nil)
}
func (z zammadDesk) setPriority(id int, p sla.Priority) {
	z.o.change(id, agentID, func(t *zammadfake.Ticket) { t.Priority = zammadPriorities[p] }, nil)
}
func (z zammadDesk) priority(id int) sla.Priority {
	t, _ := z.o.s.Zammad.Ticket(id)
	for p, n := range zammadPriorities {
		if n == t.Priority {
			return p
		}
	}
	return ""
}
func (z zammadDesk) tags(id int) []string  { return z.o.s.Zammad.Tags(id) }
func (z zammadDesk) notes(id int) []string { return notes(z.o.s.Zammad, id) }
func (z zammadDesk) replies(id int) []string {
	var out []string
	for _, a := range z.o.s.Zammad.Articles(id) {
		if !a.Internal && a.CreatedByID == zammadfake.DefaultMe.ID {
			out = append(out, a.Body)
		}
	}
	return out
}
func (z zammadDesk) number(id int) string { t, _ := z.o.s.Zammad.Ticket(id); return t.Number }
func (z zammadDesk) meaning(id int) writeMeaning {
	w := summarize(z.o.s.Zammad, id, id)[id]
	var m writeMeaning
	for _, tag := range w.Tags {
		m.addTag(tag)
	}
	for _, p := range w.Priorities {
		for sp, n := range zammadPriorities {
			if n == p {
				m.Priorities = append(m.Priorities, sp)
			}
		}
	}
	m.Noted, m.Replies = w.Notes > 0, w.Replies
	return m
}

// zendeskDesk is a Zendesk account with the contract's customer and an agent.
type zendeskDesk struct {
	s *testService
	z *zendeskfake.Server
}

const zdCustomer, zdAgent, zdOrg = 12, 3, 5

var zendeskPriorities = map[sla.Priority]string{sla.Low: "low", sla.Medium: "normal", sla.High: "high", sla.Critical: "urgent"}

func newZendeskDesk(s *testService) zendeskDesk {
	s.Zendesk.AddUser(zendeskfake.User{ID: zdCustomer, Email: "max@customer.example", Role: "end-user"})
	s.Zendesk.AddUser(zendeskfake.User{ID: zdAgent, Email: "agent@agency.example", Role: "agent"})
	s.Zendesk.AddOrganization(zendeskfake.Organization{ID: zdOrg, Name: "Customer Corp"})
	return zendeskDesk{s: s, z: s.Zendesk}
}

func (d zendeskDesk) name() string { return "zendesk" }
func (d zendeskDesk) deliver(id, by int) {
	body, _ := d.z.Body(int64(id), int64(by))
	d.s.post("zendesk", body, d.z.Headers(body, strconv.Itoa(id)))
}
func (d zendeskDesk) create(id int, title, channel string, p sla.Priority, body string) {
	now := clocktest.Now()
	d.z.PutTicket(zendeskfake.Ticket{ID: int64(id), Subject: title, Status: "new", Priority: zendeskPriorities[p],
		RequesterID: zdCustomer, OrganizationID: zdOrg, Via: channel, CreatedAt: now, UpdatedAt: now}, zdCustomer)
	d.z.AddComment(zendeskfake.Comment{TicketID: int64(id), AuthorID: zdCustomer, Public: true, Body: body, Via: channel, CreatedAt: now})
	d.deliver(id, zdCustomer)
}
func (d zendeskDesk) change(id, by int, f func(*zendeskfake.Ticket)) {
	t, _ := d.z.Ticket(int64(id))
	f(&t)
	t.UpdatedAt = clocktest.Now()
	d.z.PutTicket(t, int64(by))
	d.deliver(id, by)
}
func (d zendeskDesk) reply(id int) {
	now := clocktest.Now()
	d.z.AddComment(zendeskfake.Comment{TicketID: int64(id), AuthorID: zdAgent, Public: true, Body: "Wir sehen uns das an.",
		Via: "web", CreatedAt: now})
	d.change(id, zdAgent, func(t *zendeskfake.Ticket) { t.Status = "open" })
}
func (d zendeskDesk) setState(id int, byAgent bool, state string) {
	by := zdCustomer
	if byAgent {
		by = zdAgent
	}
	d.change(id, by, func(t *zendeskfake.Ticket) { t.Status = state })
}
func (d zendeskDesk) setPriority(id int, p sla.Priority) {
	d.change(id, zdAgent, func(t *zendeskfake.Ticket) { t.Priority = zendeskPriorities[p] })
}
func (d zendeskDesk) priority(id int) sla.Priority {
	t, _ := d.z.Ticket(int64(id))
	for p, n := range zendeskPriorities {
		if n == t.Priority {
			return p
		}
	}
	return ""
}
func (d zendeskDesk) tags(id int) []string { return d.z.Tags(int64(id)) }
func (d zendeskDesk) comments(id int, public bool) []string {
	var out []string
	for _, c := range d.z.Comments(int64(id)) {
		if c.AuthorID == d.z.Me().ID && c.Public == public {
			out = append(out, c.Body)
		}
	}
	return out
}
func (d zendeskDesk) notes(id int) []string   { return d.comments(id, false) }
func (d zendeskDesk) replies(id int) []string { return d.comments(id, true) }
func (d zendeskDesk) number(id int) string    { return strconv.Itoa(id) }
func (d zendeskDesk) meaning(id int) writeMeaning {
	var m writeMeaning
	for _, r := range d.z.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d/tags.json", id)) {
		tags, _ := r.BodyMap()["tags"].([]any)
		for _, tag := range tags {
			m.addTag(fmt.Sprint(tag))
		}
	}
	for _, r := range d.z.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d.json", id)) {
		tk, _ := r.BodyMap()["ticket"].(map[string]any)
		if p, ok := tk["priority"]; ok {
			for sp, n := range zendeskPriorities {
				if n == p {
					m.Priorities = append(m.Priorities, sp)
				}
			}
		}
		if c, ok := tk["comment"].(map[string]any); ok {
			if c["public"] == true {
				m.Replies++
			} else {
				m.Noted = true
			}
		}
	}
	return m
}

// freshdeskDesk is a Freshdesk account with the contract's customer and an agent.
type freshdeskDesk struct {
	s *testService
	f *freshdeskfake.Server
}

var freshdeskSources = map[string]int{"email": 1, "web": 2, "phone": 3}
var freshdeskStatuses = map[string]int{"open": 2, "pending": 3, "closed": 5}

func newFreshdeskDesk(s *testService) freshdeskDesk {
	s.Freshdesk.AddContact(freshdeskfake.Contact{ID: zdCustomer, Email: "max@customer.example"})
	s.Freshdesk.AddCompany(freshdeskfake.Company{ID: zdOrg, Name: "Customer Corp"})
	return freshdeskDesk{s: s, f: s.Freshdesk}
}

func (d freshdeskDesk) name() string { return "freshdesk" }
func (d freshdeskDesk) deliver(id int, triggered string) {
	body, _ := d.f.Body(int64(id), triggered)
	d.s.post("freshdesk", body, d.f.Headers())
}
func (d freshdeskDesk) create(id int, title, channel string, p sla.Priority, body string) {
	now := clocktest.Now()
	code, _ := priorityCodeOf(p)
	d.f.PutTicket(freshdeskfake.Ticket{ID: int64(id), Subject: title, Description: body, Status: 2, Priority: code,
		Source: freshdeskSources[channel], RequesterID: zdCustomer, CompanyID: zdOrg, CreatedAt: now, UpdatedAt: now})
	d.deliver(id, "{ticket_action:created}")
}
func (d freshdeskDesk) change(id int, f func(*freshdeskfake.Ticket), triggered string) {
	t, _ := d.f.Ticket(int64(id))
	f(&t)
	t.UpdatedAt = clocktest.Now()
	d.f.PutTicket(t)
	d.deliver(id, triggered)
}
func (d freshdeskDesk) reply(id int) {
	d.f.AddConversation(freshdeskfake.Conversation{TicketID: int64(id), UserID: zdAgent, Body: "Wir sehen uns das an.",
		CreatedAt: clocktest.Now()})
	d.change(id, func(t *freshdeskfake.Ticket) { t.Status = 2 }, "{reply_sent:sent}")
}
func (d freshdeskDesk) setState(id int, byAgent bool, state string) {
	d.change(id, func(t *freshdeskfake.Ticket) { t.Status = freshdeskStatuses[state] }, "{status:{from:2,to:3}}")
}
func (d freshdeskDesk) setPriority(id int, p sla.Priority) {
	code, _ := priorityCodeOf(p)
	d.change(id, func(t *freshdeskfake.Ticket) { t.Priority = code }, "{priority:{from:3,to:2}}")
}
func priorityCodeOf(p sla.Priority) (int, bool) {
	for i, sp := range []sla.Priority{sla.Low, sla.Medium, sla.High, sla.Critical} {
		if sp == p {
			return i + 1, true
		}
	}
	return 0, false
}
func (d freshdeskDesk) priority(id int) sla.Priority {
	t, _ := d.f.Ticket(int64(id))
	if t.Priority < 1 || t.Priority > 4 {
		return ""
	}
	return []sla.Priority{sla.Low, sla.Medium, sla.High, sla.Critical}[t.Priority-1]
}
func (d freshdeskDesk) tags(id int) []string { return d.f.Tags(int64(id)) }
func (d freshdeskDesk) conversations(id int, private bool) []string {
	var out []string
	for _, c := range d.f.Conversations(int64(id)) {
		if c.UserID == d.f.Me().ID && c.Private == private {
			out = append(out, c.Body)
		}
	}
	return out
}
func (d freshdeskDesk) notes(id int) []string   { return d.conversations(id, true) }
func (d freshdeskDesk) replies(id int) []string { return d.conversations(id, false) }
func (d freshdeskDesk) number(id int) string    { return strconv.Itoa(id) }
func (d freshdeskDesk) meaning(id int) writeMeaning {
	var m writeMeaning
	for _, r := range d.f.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d", id)) {
		body := r.BodyMap()
		tags, _ := body["tags"].([]any)
		for _, tag := range tags {
			m.addTag(fmt.Sprint(tag))
		}
		if p, ok := body["priority"].(float64); ok && p >= 1 && p <= 4 {
			m.Priorities = append(m.Priorities, []sla.Priority{sla.Low, sla.Medium, sla.High, sla.Critical}[int(p)-1])
		}
	}
	m.Noted = len(d.f.RequestsTo(http.MethodPost, fmt.Sprintf("/api/v2/tickets/%d/notes", id))) > 0
	m.Replies = len(d.f.RequestsTo(http.MethodPost, fmt.Sprintf("/api/v2/tickets/%d/reply", id)))
	return m
}
