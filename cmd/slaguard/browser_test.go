package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

// The browser tests drive the pages in a real headless Chromium. Without one they skip,
// except in CI (CI=true), where .ci/run installs it and a skip would hide a failure.

// chromiumPath finds a Chromium or Chrome binary, "" when there is none.
func chromiumPath() string {
	if p := os.Getenv("SLAGUARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium for the test and returns its tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Chromium found: .ci/run must install it (apt-get install -y chromium)")
		}
		t.Skip("no Chromium on this machine (apt-get install -y chromium); the browser tests run in CI")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// browse runs browser steps and fails the test on the first error, naming the step.
func browse(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v\n%s", step, err, pageState(ctx))
	}
}

// pageState says where the browser is and what it shows, for a failure message.
func pageState(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
	return "at " + loc + ":\n" + body
}

// read runs one browser action that returns a value.
func read[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %s: %v", step, err)
	}
	return v
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// screenshot saves a full-page PNG as name into SLAGUARD_SCREENSHOTS (the README's
// pictures are refreshed with SLAGUARD_SCREENSHOTS=$PWD/docs/screenshots), else into the
// test's artifact directory.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv("SLAGUARD_SCREENSHOTS")
	if dir == "" {
		dir = t.ArtifactDir()
	}
	png := read(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openTicket creates a ticket in the fake Zammad at the clock's instant and delivers its
// webhook.
func openTicket(t *testing.T, s *testService, clk *manualClock, id int, number, title, priority string) {
	t.Helper()
	now := clk.Now()
	s.Zammad.AddTicket(zammadfake.Ticket{ID: id, Number: number, Title: title, State: "new", Priority: priority,
		OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: customerID,
		CustomerEmail: "max@customer.example", CreateArticleType: "web", CreatedAt: now, UpdatedAt: now})
	art := &zammadfake.Article{ID: id*10 + 1, TicketID: id, Sender: "Customer", Type: "web",
		Subject: title, Body: "Bitte um Hilfe.", CreatedAt: now, CreatedByID: customerID}
	p, _ := s.Zammad.Payload(id, art)
	if code := s.deliver(p, zammadfake.NewDeliveryID()); code != 202 {
		t.Fatalf("deliver ticket %d: %d", id, code)
	}
}

// pauseTicket sets the ticket to waiting on the customer and delivers the change.
func pauseTicket(t *testing.T, s *testService, clk *manualClock, id int) {
	t.Helper()
	agentChange(t, s, clk, id, "pending reminder", nil)
}

// agentChange has an agent set the ticket's state (and add art, if any) at the clock's
// instant, and delivers the webhook.
func agentChange(t *testing.T, s *testService, clk *manualClock, id int, state string, art *zammadfake.Article) {
	t.Helper()
	tk, _ := s.Zammad.Ticket(id)
	tk.State, tk.UpdatedAt, tk.UpdatedByID = state, clk.Now(), agentID
	s.Zammad.AddTicket(tk)
	p, _ := s.Zammad.Payload(id, art)
	if code := s.deliver(p, zammadfake.NewDeliveryID()); code != 202 {
		t.Fatalf("deliver %s of ticket %d: %d", state, id, code)
	}
}

// onBoard waits until the worker has evaluated the ticket and put it on the board.
func onBoard(t *testing.T, s *testService, key string) {
	t.Helper()
	eventually(t, 20*time.Second, key+" on the board", func() bool {
		keys, err := s.app.parts.worker.Store().Board(context.Background())
		if err != nil {
			return false
		}
		for _, k := range keys {
			if k == key {
				return true
			}
		}
		return false
	})
}

// browserContract is a contract on the default business calendar (Mon–Fri 08:00–17:00
// Vienna) with the sla1 plan's targets.
func browserContract() map[string]any {
	return map[string]any{
		"customer": "Tischlerei Holz", "plan": "sla1", "starts_on": "2026-01-01",
		"organizations": []string{"Customer Corp"}, "domains": []string{"customer.example"},
		"hourly_rate_cents": 9600, "emergency_phone": "+43 1 234 56 78",
	}
}

func login(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	browse(t, ctx, "log in",
		chromedp.Navigate(base+"/board"),
		chromedp.WaitVisible(css(`#token`)),
		chromedp.SendKeys(css(`#token`), testAdminToken),
		chromedp.SendKeys(css(`#token`), kb.Enter),
		chromedp.WaitVisible(css(`#board`)),
	)
}

func TestBrowserBoardShowsABreachWithoutReload(t *testing.T) {
	ctx := newBrowser(t)
	// Tuesday 2026-11-24 09:00 in Vienna: sla1's first response (8 business hours) of a
	// ticket opened now is due at 17:00 the same day, at risk from 15:24.
	clk := &manualClock{now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)}
	// The test's day and a half stays within one login.
	s := startService(t, serviceOptions{clock: clk.Now, env: map[string]string{"SLAGUARD_SESSION_TTL": "72h"}})
	var ct struct{ ID string }
	if code := s.api("POST", "/api/v1/contracts", browserContract(), &ct); code != 201 {
		t.Fatalf("create contract: %d", code)
	}
	openTicket(t, s, clk, 4711, "10042", "Checkout zeigt Fehler 500", "2 normal")
	clk.Advance(90 * time.Minute) // 10:30
	openTicket(t, s, clk, 4712, "10043", "Plugin-Update gewünscht", "1 low")
	openTicket(t, s, clk, 4713, "10044", "Rechnung als PDF fehlt", "2 normal")
	clk.Advance(30 * time.Minute) // 11:00: 4713 waits on the customer from now on
	pauseTicket(t, s, clk, 4713)
	for _, k := range []string{"zammad:4711", "zammad:4712", "zammad:4713"} {
		onBoard(t, s, k)
	}
	eventually(t, 20*time.Second, "4713 paused", func() bool {
		sum, err := s.app.parts.worker.Store().Summary(context.Background(), "zammad:4713")
		return err == nil && sum.Paused
	})

	login(t, ctx, s.URL)
	row := `tr[data-ticket="zammad:4711"]`
	browse(t, ctx, "board before the deadline", chromedp.WaitVisible(css(row)))
	text := read(t, ctx, "row text", chromedp.Text(css(row)))
	read(t, ctx, "mark the document", chromedp.Evaluate[bool](`window.__sameDocument = true`))
	if strings.Contains(text, "breached") || !strings.Contains(text, "Tischlerei Holz") || !strings.Contains(text, "sla1") {
		t.Fatalf("row before the deadline: %q", text)
	}
	note := read(t, ctx, "business time note", chromedp.Text(css(`#business-time-note`)))
	if !strings.Contains(note, "business time") {
		t.Fatalf("the board does not say its times are business time: %q", note)
	}

	// Wednesday 09:00: the first response of 4711 (due Tuesday 17:00) is one business
	// hour late; 4712 has used 7.5 of its 8 hours; 4713 stood still since Tuesday 11:00.
	clk.Advance(22 * time.Hour)
	browse(t, ctx, "the breach appears", chromedp.WaitVisible(css(row+` .badge-breach`)))
	text = read(t, ctx, "breached row", chromedp.Text(css(row)))
	if !read(t, ctx, "no reload", chromedp.Evaluate[bool](`window.__sameDocument === true`)) {
		t.Fatal("the page was reloaded; the board must update in place")
	}
	if !strings.Contains(text, "1 h 00 min overdue") {
		t.Fatalf("breached row: %q", text)
	}
	first := read(t, ctx, "order", chromedp.AttributeValue(css(`#board-rows tr`), "data-ticket"))
	if first.Value != "zammad:4711" {
		t.Fatalf("first row is %s, want the breached ticket", first.Value)
	}
	browse(t, ctx, "at risk and paused",
		chromedp.WaitVisible(css(`tr[data-ticket="zammad:4712"] .badge-risk`)),
		chromedp.WaitVisible(css(`tr[data-ticket="zammad:4713"] .badge-pause`)),
	)
	// A new ticket shows up without a reload too.
	openTicket(t, s, clk, 4714, "10045", "Newsletter-Anmeldung ohne Bestätigung", "2 normal")
	browse(t, ctx, "a new ticket appears", chromedp.WaitVisible(css(`tr[data-ticket="zammad:4714"]`)))
	checkLabelsAndContrast(t, ctx, "board")
	t.Logf("board screenshot: %s", screenshot(t, ctx, "board.png"))

	// Filter by mark: only the breached ticket.
	browse(t, ctx, "filter breached",
		chromedp.SetValue(css(`#filter-mark`), "breached"),
		chromedp.Click(css(`#board-filters button`)),
	)
	browse(t, ctx, "filtered page", chromedp.WaitVisible(css(`#board[data-rows*="mark=breached"]`)))
	n := read(t, ctx, "count", chromedp.Evaluate[int](`document.querySelectorAll('#board-rows tr[data-ticket]').length`))
	if n != 1 {
		t.Fatalf("breached filter shows %d tickets, want 1", n)
	}
}

func TestBrowserContractEditShowsTheValidationError(t *testing.T) {
	ctx := newBrowser(t)
	clk := &manualClock{now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)}
	s := startService(t, serviceOptions{clock: clk.Now, noWorker: true})
	var ct struct{ ID string }
	if code := s.api("POST", "/api/v1/contracts", browserContract(), &ct); code != 201 {
		t.Fatalf("create contract: %d", code)
	}
	login(t, ctx, s.URL)
	browse(t, ctx, "open the contract",
		chromedp.Navigate(s.URL+"/contracts"),
		chromedp.Click(css(`a[href="/contracts/`+ct.ID+`"]`)),
		chromedp.WaitVisible(css(`#f-at-risk-percent`)),
	)
	checkLabelsAndContrast(t, ctx, "contract form")
	browse(t, ctx, "save a bad value",
		chromedp.SetValue(css(`#f-at-risk-percent`), "150"),
		chromedp.Submit(css(`#f-at-risk-percent`)),
		chromedp.WaitVisible(css(`#f-at-risk-percent-error`)),
	)
	msg := read(t, ctx, "message", chromedp.Text(css(`#f-at-risk-percent-error`)))
	invalid := read(t, ctx, "aria-invalid", chromedp.AttributeValue(css(`#f-at-risk-percent`), "aria-invalid"))
	if !strings.Contains(msg, "must be at most 99") || invalid.Value != "true" {
		t.Fatalf("error next to the field: %q (aria-invalid %q)", msg, invalid.Value)
	}
	var c2 struct {
		AtRiskPercent *int `json:"at_risk_percent"`
		Version       int
	}
	s.api("GET", "/api/v1/contracts/"+ct.ID, nil, &c2)
	if c2.AtRiskPercent != nil || c2.Version != 1 {
		t.Fatalf("a refused edit changed the contract: %+v", c2)
	}
	// Fixed, it saves.
	browse(t, ctx, "save a good value",
		chromedp.SetValue(css(`#f-at-risk-percent`), "75"),
		chromedp.Submit(css(`#f-at-risk-percent`)),
		chromedp.WaitVisible(css(`p.notice`)),
	)
}

func TestBrowserKeyboardReachesEverything(t *testing.T) {
	ctx := newBrowser(t)
	clk := &manualClock{now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)}
	s := startService(t, serviceOptions{clock: clk.Now, noWorker: true})
	browse(t, ctx, "login page", chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(css(`#token`)))
	checkLabelsAndContrast(t, ctx, "login")
	// Only the keyboard: type the token (the field has autofocus), Enter, then Tab to
	// the skip link.
	browse(t, ctx, "keyboard login",
		chromedp.KeyEvent(testAdminToken),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css(`#board`)),
		chromedp.KeyEvent(kb.Tab),
	)
	if active := read(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.textContent.trim()`)); active != "Skip to content" {
		t.Fatalf("first Tab stop is %q, want the skip link", active)
	}
	var stops []string
	for i := 0; i < 8; i++ {
		browse(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
		stops = append(stops, read(t, ctx, "focus", chromedp.Evaluate[string](`(document.activeElement.id || document.activeElement.textContent.trim())`)))
	}
	want := []string{"Board", "Contracts", "Report", "Queues", "Log out", "filter-contract", "filter-mark", "Filter"}
	if strings.Join(stops, "|") != strings.Join(want, "|") {
		t.Fatalf("Tab stops %q, want %q", stops, want)
	}
	// The focus is visible: an outline on the focused control.
	if outline := read(t, ctx, "focus ring", chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`)); outline == "none" || outline == "" {
		t.Fatalf("focused control has no visible outline (%q)", outline)
	}
}

// checkLabelsAndContrast fails the test for a form control without a label and for text
// whose contrast with its background is below WCAG AA (4.5:1; 3:1 for large text).
func checkLabelsAndContrast(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	unlabelled := read(t, ctx, page+": labels", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input, select, textarea'))
		.filter(el => el.type !== 'hidden')
		.filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
		.map(el => el.outerHTML)`))
	if len(unlabelled) > 0 {
		t.Errorf("%s: form controls without a label: %v", page, unlabelled)
	}
	if low := read(t, ctx, page+": contrast", chromedp.Evaluate[[]string](contrastScript)); len(low) > 0 {
		t.Errorf("%s: text below WCAG AA contrast: %v", page, low)
	}
}

// contrastScript lists the visible text elements whose colour against the first opaque
// background behind them is below 4.5:1 (3:1 for text of 24px, or 18.66px bold).
const contrastScript = `(() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r:p[0], g:p[1], b:p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); };
    return 0.2126*f(c.r) + 0.7152*f(c.g) + 0.0722*f(c.b); };
  const bg = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5) return c; } return {r:255, g:255, b:255, a:1}; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || el.closest('.sr-only, .skip')) continue;
    const fg = parse(st.color); const b = bg(el); const l1 = lum(fg), l2 = lum(b);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize); const bold = parseInt(st.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return out;
})()`
