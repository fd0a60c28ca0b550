package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// demoScale sets the demo's pace: its contract's targets, and so its whole length.
type demoScale struct {
	firstResponse, resolution time.Duration
}

// runDemo plays a short scripted day through the real webhook endpoint against a
// built-in fake Zammad, on the embedded Redis, and prints each write-back as the fake
// receives it; it ends with the month's usage and billing export.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fast := fs.Bool("fast", false, "shorter targets (a test's pace)")
	verbose := fs.Bool("v", false, "show the service's log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scale := demoScale{firstResponse: 8 * time.Second, resolution: 16 * time.Second}
	if *fast {
		scale = demoScale{firstResponse: 2 * time.Second, resolution: 4 * time.Second}
	}
	logOut := io.Discard
	if *verbose {
		logOut = stderr
	}
	return demo(ctx, scale, clock.System, stdout, logOut)
}

// demo plays the day on the clock now. Its contract runs every ticket on the 24/7
// calendar, so what it shows is the same at any hour, on any day (a Sunday night,
// Christmas, the night of a DST change): business hours would stop its clocks at night.
func demo(ctx context.Context, scale demoScale, now func() time.Time, out, logOut io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &printer{w: out}
	secret := rand.Text()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	z := zammadfake.New(zammadfake.Options{WebhookURL: base + "/webhooks/zammad", WebhookSecret: secret, Clock: now})
	defer z.Close()

	env := map[string]string{
		"ZAMMAD_URL": z.URL, "ZAMMAD_TOKEN": z.Token, "ZAMMAD_WEBHOOK_SECRET": secret,
		"SLAGUARD_ADMIN_TOKENS": "demo-" + rand.Text(), "SLAGUARD_TIMER_INTERVAL": "200ms",
		"SLAGUARD_SHUTDOWN_TIMEOUT": "3s",
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] }, nil)
	if err != nil {
		return err
	}
	a, err := newApp(cfg, newLogger(logOut, "info"), appOptions{httpClient: z.Client(), clock: now})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.buildParts(ctx); err != nil {
		return err
	}
	if err := a.discoverSelf(ctx); err != nil {
		return err
	}
	if err := a.mountAll(); err != nil {
		return err
	}
	srv := &http.Server{Handler: a.echo, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	workerDone := make(chan error, 1)
	go func() { workerDone <- a.runWorker(ctx) }()
	defer func() { cancel(); <-workerDone }()

	targets := func(d time.Duration) map[string]string {
		s := fmt.Sprintf("%ds", int(d.Seconds()))
		return map[string]string{"low": s, "medium": s, "high": s, "critical": s}
	}
	rate := int64(9600)
	c, err := a.parts.contracts.Create(ctx, contracts.Spec{
		Customer: "Bäckerei Demo GmbH", Plan: "sla1", StartsOn: contracts.DateOf(now().AddDate(0, -1, 0)),
		Calendar: sla.CalendarSpec{Preset: "24x7"},
		Domains:  []string{"baeckerei-demo.at"}, Organizations: []string{"Bäckerei Demo GmbH"},
		FirstResponse: targets(scale.firstResponse), Resolution: targets(scale.resolution),
		HourlyRateCents: &rate, EmergencyPhone: "+43 1 234 56 78",
	})
	if err != nil {
		return fmt.Errorf("demo contract: %w", err)
	}
	month := sla.Month(now()) // the day's month, even if it should end while the demo runs
	p.say("slaguard demo — contract %s for %q: plan sla1, first response %s, resolution %s on the 24/7 calendar, 5 tickets a month",
		c.ID, c.Customer, scale.firstResponse, scale.resolution)
	p.say("webhooks go to %s/webhooks/zammad; the fake Zammad prints what slaguard writes back.\n", base)

	stopWatch := p.watch(ctx, z)
	day := demoDay{z: z, url: base + "/webhooks/zammad", secret: secret, p: p, now: now, app: a, month: month}
	if err := day.play(ctx, scale); err != nil {
		return err
	}
	stopWatch()

	u, err := ticketstore.New(a.rdb).QuotaUsage(ctx, c.ID, month, 5)
	if err != nil {
		return err
	}
	p.say("\nusage %s: %d of %d included tickets used, %d over quota: %s",
		u.Month, u.Used, u.Included, u.OverQuota, strings.Join(u.Tickets, ", "))
	return a.demoBilling(ctx, out, month)
}

// demoDay is the scripted day.
type demoDay struct {
	z      *zammadfake.Server
	url    string
	secret string
	p      *printer
	now    func() time.Time
	mu     sync.Mutex
	app    *app
	month  string
}

func (d *demoDay) play(ctx context.Context, scale demoScale) error {
	steps := []struct {
		say string
		do  func() error
	}{
		{"1 an e-mail: the shop is down (e-mail tickets start low; slaguard corrects it)", func() error {
			return d.create(201, "Shop nicht erreichbar", "email", "2 normal", "Seit 7 Uhr ist unser Webshop nicht erreichbar, Kunden können nicht bestellen!")
		}},
		{"2 a question from the web form", func() error {
			return d.create(202, "Wie funktioniert der Gutscheincode?", "web", "2 normal", "Wie funktioniert das Einlösen eines Gutscheincodes?")
		}},
		{"3 the agent answers the question in time and closes it", func() error {
			if err := d.change(202, 3, "open", &zammadfake.Article{ID: 2022, TicketID: 202, Sender: "Agent", Type: "email",
				Body: "Den Code im Warenkorb eingeben.", CreatedByID: 3}); err != nil {
				return err
			}
			if err := d.change(202, 3, "closed", nil); err != nil {
				return err
			}
			return d.showMet(ctx, 202)
		}},
		{"4 a ticket nobody answers", func() error {
			return d.create(203, "Bilder laden langsam", "web", "2 normal", "Die Produktbilder laden seit gestern sehr langsam.")
		}},
		{"5 a change request (billed by the hour, no resolution clock, no quota)", func() error {
			return d.create(204, "Angebot: neue Funktion Online-Tischreservierung", "web", "2 normal", "Wir hätten gerne eine Online-Tischreservierung, bitte um ein Angebot.")
		}},
		{"6 two more tickets this month", func() error {
			if err := d.create(205, "Öffnungszeiten Text ändern", "web", "1 low", "Bitte den Text der Öffnungszeiten ändern."); err != nil {
				return err
			}
			return d.create(206, "Newsletter Anmeldung", "web", "1 low", "Wie funktioniert die Newsletter-Anmeldung?")
		}},
		{"7 the 6th ticket of the month: over quota", func() error {
			return d.create(207, "Impressum aktualisieren", "web", "1 low", "Bitte die neue Adresse ins Impressum.")
		}},
		{"8 the agent books 90 minutes of work on the change request", func() error {
			d.z.AddTimeAccounting(zammadfake.TimeAccounting{TicketID: 204, TimeUnit: "90.0", CreatedByID: 3})
			if err := d.change(204, 3, "open", &zammadfake.Article{ID: 2042, TicketID: 204, Sender: "Agent", Type: "note",
				Internal: true, Body: "Konzept erstellt.", CreatedByID: 3, AccountedTime: 90}); err != nil {
				return err
			}
			return d.showBilled(ctx, 204)
		}},
	}
	for _, s := range steps {
		d.p.say("▶ %s", s.say)
		if err := s.do(); err != nil {
			return err
		}
		if err := sleepCtx(ctx, 700*time.Millisecond); err != nil {
			return err
		}
	}
	d.p.say("… waiting for the clocks of the unanswered tickets to run out")
	return sleepCtx(ctx, scale.resolution+3*time.Second)
}

// Some steps call for no write-back: the demo shows what slaguard made of them instead,
// once it has (a step that shows nothing looks like one that did not work).

// showMet prints the clocks of a ticket answered and closed in time, once slaguard has
// evaluated it closed.
func (d *demoDay) showMet(ctx context.Context, id int) error {
	key := ticketstore.Key("zammad", strconv.Itoa(id))
	return d.await(ctx, "ticket "+strconv.Itoa(id)+" closed", func() (bool, error) {
		rec, err := ticketstore.New(d.app.rdb).Load(ctx, key)
		if errors.Is(err, ticketstore.ErrNoTicket) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		v, err := d.app.parts.worker.View(ctx, rec, d.now())
		if err != nil || !v.Status.Closed {
			return false, err
		}
		fr, res := v.Status.FirstResponse, v.Status.Resolution
		d.p.say("  ✓ ticket %d: first response %s after %s of %s, solved %s after %s of %s — nothing to write back",
			id, clockWord(fr.State), sla.FormatBusinessTime(fr.Used), sla.FormatBusinessTime(fr.Target),
			clockWord(res.State), sla.FormatBusinessTime(res.Used), sla.FormatBusinessTime(res.Target))
		return true, nil
	})
}

func clockWord(s sla.ClockState) string {
	if s == sla.ClockMet {
		return "in time"
	}
	return string(s)
}

// showBilled prints the billing entry that booked time on a ticket became, once the
// ledger has it.
func (d *demoDay) showBilled(ctx context.Context, id int) error {
	ticket := strconv.Itoa(id)
	return d.await(ctx, "the booking on ticket "+ticket+" in the ledger", func() (bool, error) {
		x, err := d.app.parts.ledger.Export(ctx, d.month, "")
		if err != nil {
			return false, err
		}
		for _, e := range x.Entries {
			if e.TicketID == ticket && e.AdjustmentOf == "" {
				d.p.say("  ✓ ticket %s: %d minutes booked → billing export: %s, %d minutes at %s €/h = %s € (%s)",
					ticket, e.BookedSeconds/60, e.Category, e.BilledSeconds/60, euros(e.RateCentsPerHour),
					euros(e.AmountCents), e.Reason)
				return true, nil
			}
		}
		return false, nil
	})
}

func euros(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// await polls done until it reports true, for at most 10 s.
func (d *demoDay) await(ctx context.Context, what string, done func() (bool, error)) error {
	end := time.Now().Add(10 * time.Second)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(end) {
			return fmt.Errorf("demo: waited 10 s for %s", what)
		}
		if err := sleepCtx(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

func (d *demoDay) create(id int, title, channel, priority, body string) error {
	now := d.now().UTC()
	d.z.AddTicket(zammadfake.Ticket{ID: id, Title: title, State: "new", Priority: priority,
		OrganizationID: 77, OrganizationName: "Bäckerei Demo GmbH", CustomerID: 40,
		CustomerEmail: "chefin@baeckerei-demo.at", CreateArticleType: channel, CreatedAt: now, UpdatedAt: now})
	return d.send(id, &zammadfake.Article{ID: id * 10, TicketID: id, Sender: "Customer", Type: channel,
		Subject: title, Body: body, CreatedAt: now, CreatedByID: 40})
}

func (d *demoDay) change(id, by int, state string, art *zammadfake.Article) error {
	t, ok := d.z.Ticket(id)
	if !ok {
		return fmt.Errorf("demo: no ticket %d", id)
	}
	t.State, t.UpdatedAt, t.UpdatedByID = state, d.now().UTC(), by
	d.z.AddTicket(t)
	if art != nil {
		art.CreatedAt = t.UpdatedAt
	}
	return d.send(id, art)
}

func (d *demoDay) send(id int, art *zammadfake.Article) error {
	p, _ := d.z.Payload(id, art)
	body := p.JSON()
	req, _ := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(body))
	req.Header = zammadfake.Headers(body, d.secret, zammadfake.NewDeliveryID(), "demo")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("demo: webhook for ticket %d answered %d", id, resp.StatusCode)
	}
	return nil
}

// printer writes the demo's lines with the time since the start.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func (p *printer) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		p.start = time.Now()
	}
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// watch prints every write the fake Zammad receives, as it arrives.
func (p *printer) watch(ctx context.Context, z *zammadfake.Server) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	seen := 0
	flush := func() {
		reqs := z.Requests()
		for ; seen < len(reqs); seen++ {
			if line := describeWrite(reqs[seen]); line != "" {
				p.say("  ← %s", line)
			}
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				flush()
				return
			case <-t.C:
				flush()
			}
		}
	}()
	return func() { cancel(); <-done }
}

func describeWrite(r zammadfake.Request) string {
	m, _ := r.Body.(map[string]any)
	first := func(s any) string {
		line, _, _ := strings.Cut(fmt.Sprint(s), "\n")
		return line
	}
	switch {
	case r.Method == http.MethodPost && r.Path == "/api/v1/tags/add":
		return fmt.Sprintf("ticket %v: tag %v", m["o_id"], m["item"])
	case r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/api/v1/tickets/"):
		id := strings.TrimPrefix(r.Path, "/api/v1/tickets/")
		var parts []string
		if p, ok := m["priority"]; ok {
			parts = append(parts, fmt.Sprintf("priority → %v", p))
		}
		if a, ok := m["article"].(map[string]any); ok {
			parts = append(parts, "internal note: "+first(a["body"]))
		}
		return fmt.Sprintf("ticket %s: %s", id, strings.Join(parts, "; "))
	case r.Method == http.MethodPost && r.Path == "/api/v1/ticket_articles":
		return fmt.Sprintf("ticket %v: reply to the customer: %v", m["ticket_id"], m["subject"])
	}
	return ""
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

var errDemoBilling = errors.New("demo: billing export not available")
