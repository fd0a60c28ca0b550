package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/notify"
	"github.com/monobunt/slaguard/notify/notifyfake"
)

// notifyRig is a service on a pinned clock (Tuesday 1 December 2026, 09:00 in Vienna)
// with a 24/7 contract whose first response is due within 1 h (at risk after 30 min).
type notifyRig struct {
	t     *testing.T
	s     *testService
	clock *manualClock
	t0    time.Time
}

func startNotifyRig(t *testing.T, notifySetting map[string]any, opt serviceOptions) *notifyRig {
	t.Helper()
	r := &notifyRig{t: t, clock: &manualClock{}, t0: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	r.clock.Set(r.t0)
	opt.clock = r.clock.Now
	r.s = startService(t, opt)
	c := secondsContract()
	c["first_response"] = map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
	c["resolution"] = map[string]string{"low": "8h", "medium": "8h", "high": "8h", "critical": "8h"}
	c["notify"] = notifySetting
	if code := r.s.api(http.MethodPost, "/api/v1/contracts", c, nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	return r
}

// deliver tells slaguard about ticket id as it stands now, three times under new
// delivery ids at once (a helpdesk that re-sends): each is evaluated at the clock's now.
func (r *notifyRig) deliver(id int, art *zammadfake.Article) {
	p, _ := r.s.Zammad.Payload(id, art)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := r.s.deliver(p, zammadfake.NewDeliveryID()); code != http.StatusAccepted {
				r.t.Errorf("delivery of ticket %d: %d", id, code)
			}
		}()
	}
	wg.Wait()
}

func (r *notifyRig) create(id int) {
	now := r.clock.Now()
	r.s.Zammad.AddTicket(zammadfake.Ticket{ID: id, Number: strconv.Itoa(31000 + id), Title: "Shop down",
		State: "new", Priority: "2 normal", OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: customerID,
		CustomerEmail: "max@customer.example", CreateArticleType: "web", CreatedAt: now, UpdatedAt: now})
	r.deliver(id, &zammadfake.Article{ID: id*10 + 1, TicketID: id, Sender: "Customer", Type: "web",
		Subject: "Shop down", Body: "Der Shop lädt nicht.", CreatedAt: now, CreatedByID: customerID})
}

// evaluated waits until slaguard has the ticket (so the clock moves on from its creation).
func (r *notifyRig) evaluated(id int) {
	r.t.Helper()
	path := "/api/v1/tickets/zammad/" + strconv.Itoa(id)
	eventually(r.t, 10*time.Second, "ticket "+strconv.Itoa(id)+" evaluated", func() bool { return r.s.api(http.MethodGet, path, nil, nil) == http.StatusOK })
}

// pushed counts the at-risk and breach messages a receiver took.
func pushed(posts []notifyfake.Post) (atRisk, breached int) {
	var texts []string
	for _, p := range posts {
		texts = append(texts, string(p.Raw))
	}
	return kinds(texts)
}

// mailed counts the at-risk and breach e-mails the server took.
func mailed(mails []notifyfake.Mail) (atRisk, breached int) {
	var texts []string
	for _, m := range mails {
		texts = append(texts, string(m.Data))
	}
	return kinds(texts)
}

func kinds(texts []string) (atRisk, breached int) {
	for _, s := range texts {
		switch {
		case strings.Contains(s, "SLA at risk"):
			atRisk++
		case strings.Contains(s, "SLA breached"):
			breached++
		}
	}
	return
}

// A ticket that comes at risk and then breaches under a contract that pushes to Slack,
// Teams, Mattermost and e-mail: every receiver gets exactly one at-risk and one breach
// message, through duplicate deliveries, a 429 with Retry-After, a 503 outage and an SMTP
// 451; a Teams workflow that hangs holds up none of it, nor the helpdesk's marks, and
// once back gets the breach alone (its at-risk warning came too late to matter).
func TestPushNotificationsGoOutOncePerMarkAndNeverHoldUpTheHelpdesk(t *testing.T) {
	slack, teams, mm := notifyfake.NewReceiver(notify.Slack), notifyfake.NewReceiver(notify.Teams), notifyfake.NewReceiver(notify.Mattermost)
	defer slack.Close()
	defer teams.Close()
	defer mm.Close()
	mail, err := notifyfake.StartMailServer(notifyfake.MailOptions{User: "slaguard", Password: "geheim", StartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	client := slack.Client() // trusts every receiver: they share httptest's certificate
	client.Timeout = 2 * time.Second
	r := startNotifyRig(t, map[string]any{
		"slack_url": slack.URL, "teams_url": teams.URL, "mattermost_url": mm.URL,
		"email": []string{"support@agentur.example"},
	}, serviceOptions{notifyClient: client, smtpTLS: mail.ClientTLS(), env: map[string]string{
		"SLAGUARD_SMTP_URL": mail.URL(), "SLAGUARD_SMTP_FROM": "SLA Guard <sla@agentur.example>"}})
	z := r.s.Zammad

	teams.Down(&notifyfake.Answer{Hang: true})                        // dead: holds every request
	slack.Fail(notifyfake.Answer{Status: 429, RetryAfter: "1"})       // rate-limited once
	mm.Down(&notifyfake.Answer{Status: 503})                          // an outage
	mail.Fail(&smtp.SMTPError{Code: 451, Message: "try again later"}) // greylisted once

	r.create(501)
	r.evaluated(501)

	// 31 minutes on: at risk. The helpdesk's mark must not wait for the dead receiver.
	r.clock.Advance(31 * time.Minute)
	r.deliver(501, nil)
	eventually(t, 10*time.Second, "the at-risk tag, while Teams hangs", func() bool {
		return countTag(z, 501, "sla-at-risk-first-response") == 1 && teams.Hanging() > 0
	})
	eventually(t, 15*time.Second, "Slack's at-risk message after its 429", func() bool { a, _ := pushed(slack.Delivered()); return a == 1 })
	eventually(t, 15*time.Second, "the at-risk e-mail after a 451", func() bool { a, _ := mailed(mail.Mails()); return a == 1 })
	eventually(t, 15*time.Second, "Mattermost's outage retried", func() bool { return len(mm.Posts()) >= 2 })
	mm.Down(nil) // back up
	eventually(t, 15*time.Second, "Mattermost's at-risk message after its outage", func() bool { a, _ := pushed(mm.Delivered()); return a == 1 })

	// 61 minutes after creation: breached.
	r.clock.Advance(30 * time.Minute)
	r.deliver(501, nil)
	eventually(t, 10*time.Second, "the breach tag", func() bool { return countTag(z, 501, "sla-breached-first-response") == 1 })
	for name, rcv := range map[string]*notifyfake.Receiver{"slack": slack, "mattermost": mm} {
		eventually(t, 15*time.Second, name+"'s breach message", func() bool { _, b := pushed(rcv.Delivered()); return b == 1 })
	}
	eventually(t, 15*time.Second, "the breach e-mail", func() bool { _, b := mailed(mail.Mails()); return b == 1 })

	// Teams comes back: its retries deliver what waited.
	if a, b := pushed(teams.Delivered()); a+b != 0 {
		t.Fatalf("the dead receiver took %d messages", a+b)
	}
	teams.Down(nil)
	teams.Release()
	// The at-risk warning waited past the breach: Teams gets the breach alone.
	eventually(t, 60*time.Second, "Teams' breach after it came back", func() bool { _, b := pushed(teams.Delivered()); return b == 1 })

	// Deliveries once more, then a while for anything that would go out twice.
	r.deliver(501, nil)
	time.Sleep(2 * time.Second)
	for name, rcv := range map[string]*notifyfake.Receiver{"slack": slack, "mattermost": mm} {
		if a, b := pushed(rcv.Delivered()); a != 1 || b != 1 {
			t.Errorf("%s took %d at-risk and %d breach messages, want 1 and 1", name, a, b)
		}
	}
	if a, b := pushed(teams.Delivered()); a != 0 || b != 1 {
		t.Errorf("teams took %d at-risk and %d breach messages, want 0 and 1", a, b)
	}
	if a, b := mailed(mail.Mails()); a != 1 || b != 1 {
		t.Errorf("%d at-risk and %d breach e-mails, want 1 and 1", a, b)
	}
	for _, tag := range []string{"sla-at-risk-first-response", "sla-breached-first-response"} {
		if n := countTag(z, 501, tag); n != 1 {
			t.Errorf("tag %s written %d times", tag, n)
		}
	}

	// What the breach says: customer, ticket and link, deadline in Vienna time, how late.
	var msg string
	for _, p := range mm.Delivered() {
		if strings.Contains(string(p.Raw), "SLA breached") {
			msg = string(p.Raw)
		}
	}
	for _, want := range []string{"Customer Corp", "Ticket 31501", "Di., 01.12.2026 10:00", "Tue 1 Dec 2026 10:00",
		"Überfällig / Late | 1 min", z.URL + "/#ticket/zoom/501"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the breach message lacks %q: %s", want, msg)
		}
	}

	m := r.s.app.parts.metrics.Notifications
	for ch, want := range map[string]float64{"slack": 2, "teams": 1, "mattermost": 2, "email": 2} {
		if n := testutil.ToFloat64(m.WithLabelValues(ch, "sent")); n != want {
			t.Errorf("slaguard_notifications_total{channel=%q,result=\"sent\"} = %v, want %v", ch, n, want)
		}
		if n := testutil.ToFloat64(m.WithLabelValues(ch, "retry")); n < 1 {
			t.Errorf("no retry counted for %s", ch)
		}
	}
}

// Without SLAGUARD_SMTP_URL an e-mail notification is a trial: logged once, sent never.
func TestEmailNotificationsWithoutSMTPAreLoggedOnce(t *testing.T) {
	var log bytes.Buffer
	var mu sync.Mutex
	r := startNotifyRig(t, map[string]any{"email": []string{"support@agentur.example"}, "marks": []string{"breach"}},
		serviceOptions{log: lockedWriter{&mu, &log}})
	r.create(502)
	r.evaluated(502)
	r.clock.Advance(61 * time.Minute)
	r.deliver(502, nil)
	eventually(t, 10*time.Second, "the breach tag", func() bool { return countTag(r.s.Zammad, 502, "sla-breached-first-response") == 1 })
	m := r.s.app.parts.metrics.Notifications.WithLabelValues("email", "trial")
	eventually(t, 10*time.Second, "the trial e-mail", func() bool { return testutil.ToFloat64(m) == 1 })
	r.deliver(502, nil)
	time.Sleep(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(log.String(), `"msg":"trial: e-mail not sent`); n != 1 {
		t.Errorf("%d trial e-mails logged, want 1 (the at-risk mark is not pushed: marks = [breach])", n)
	}
	if !strings.Contains(log.String(), "support@agentur.example") {
		t.Errorf("the trial line does not say whom it would mail")
	}
}

// slaguard doctor logs in at the SMTP server as a notification would, and sends nothing.
func TestDoctorLogsInAtTheSMTPServer(t *testing.T) {
	mail, err := notifyfake.StartMailServer(notifyfake.MailOptions{User: "slaguard", Password: "geheim", StartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	check := func(url string) finding {
		cfg, err := LoadConfig(func(k string) string {
			return map[string]string{"SLAGUARD_SMTP_URL": url, "SLAGUARD_SMTP_FROM": "sla@agentur.example"}[k]
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		fs := checkSMTP(t.Context(), cfg, mail.ClientTLS())
		if len(fs) != 1 {
			t.Fatalf("findings %+v", fs)
		}
		return fs[0]
	}
	if f := check(mail.URL()); f.level != "ok" || !strings.Contains(f.detail, "logged in") {
		t.Errorf("healthy server: %+v", f)
	}
	f := check(strings.Replace(mail.URL(), "geheim", "falsch", 1))
	if f.level != "FAIL" || !strings.Contains(f.detail, "535") || strings.Contains(f.detail, "falsch") {
		t.Errorf("wrong password: %+v (want FAIL naming the 535, never the password)", f)
	}
	if len(mail.Mails()) != 0 {
		t.Errorf("the check sent mail")
	}
	if f := check(""); f.level != "ok" || !strings.Contains(f.detail, "trial") {
		t.Errorf("no SMTP: %+v", f)
	}
}
