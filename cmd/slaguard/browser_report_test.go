package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/apitest"
	"github.com/monobunt/slaguard/sla"
)

// answerTicket delivers a public agent reply on the ticket at the clock's instant.
func answerTicket(t *testing.T, s *testService, clk *manualClock, id int) {
	t.Helper()
	agentChange(t, s, clk, id, "open", &zammadfake.Article{ID: id*10 + 2, TicketID: id, Sender: "Agent", Type: "email",
		Body: "Wir sehen uns das an.", CreatedAt: clk.Now(), CreatedByID: agentID})
}

// closeTicket delivers the ticket's close at the clock's instant.
func closeTicket(t *testing.T, s *testService, clk *manualClock, id int) {
	t.Helper()
	agentChange(t, s, clk, id, "closed", nil)
}

// reportScenario runs October and November 2026 of one sla1 contract through the service:
// October 3 tickets (first response 2 of 3 met, resolution 1 of 3), November 2 (first
// response 1 of 2; 4801 one business hour late), and leaves the clock at Wednesday
// 2026-11-25 09:00 Vienna. It returns the contract's id.
func reportScenario(t *testing.T) (*testService, string) {
	// October first, for the trend: Tuesday 2026-10-20 09:00 Vienna (07:00 UTC).
	clk := &manualClock{now: time.Date(2026, 10, 20, 7, 0, 0, 0, time.UTC)}
	s := startService(t, serviceOptions{clock: clk.Now, env: map[string]string{"SLAGUARD_SESSION_TTL": "72h"}})
	var ct struct{ ID string }
	if code := s.api("POST", "/api/v1/contracts", browserContract(), &ct); code != 201 {
		t.Fatalf("create contract: %d", code)
	}
	// 4701 answered and closed in time; 4702 answered in time, never closed (its
	// resolution breaches); 4703 never answered (both breach). October: first response
	// 2 of 3, resolution 1 of 3.
	openTicket(t, s, clk, 4701, "10071", "Rechnung als PDF fehlt", "2 normal")
	openTicket(t, s, clk, 4702, "10072", "Frage zum Backup", "2 normal")
	openTicket(t, s, clk, 4703, "10073", "Passwort vergessen", "2 normal")
	clk.Advance(time.Hour)
	answerTicket(t, s, clk, 4701)
	answerTicket(t, s, clk, 4702)
	clk.Advance(time.Hour)
	closeTicket(t, s, clk, 4701)
	eventually(t, 20*time.Second, "October's tickets evaluated", func() bool {
		sum, err := s.app.parts.worker.Store().Summary(context.Background(), "zammad:4701")
		sum2, err2 := s.app.parts.worker.Store().Summary(context.Background(), "zammad:4702")
		return err == nil && err2 == nil && sum.Resolution == sla.ClockMet && sum2.FirstResp == sla.ClockMet
	})

	// Tuesday 2026-11-24 09:00 Vienna: sla1's first response is due at 17:00.
	clk.Set(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	openTicket(t, s, clk, 4801, "10081", "Kontaktformular sendet nicht", "2 normal")
	openTicket(t, s, clk, 4802, "10082", "Frage zum Backup", "2 normal")
	clk.Advance(30 * time.Minute) // 09:30: 4802 is answered in time, 4801 never
	answerTicket(t, s, clk, 4802)
	eventually(t, 20*time.Second, "4802 answered", func() bool {
		sum, err := s.app.parts.worker.Store().Summary(context.Background(), "zammad:4802")
		return err == nil && sum.FirstResp == sla.ClockMet
	})
	onBoard(t, s, "zammad:4801")
	// Wednesday 09:00: 4801's first response is one business hour late.
	clk.Advance(23*time.Hour + 30*time.Minute)
	return s, ct.ID
}

// The report API, its answers checked against openapi.yaml.
func TestReportAPIGivesTheMonthsFigures(t *testing.T) {
	s, id := reportScenario(t)
	ct := struct{ ID string }{id}
	get := func(path string) *httptest.ResponseRecorder {
		return apitest.Do(t, s.app.echo, adminRequest(http.MethodGet, path, ""))
	}
	rec := get("/api/v1/reports/sla?month=2026-11&contract=" + ct.ID)
	if rec.Code != 200 {
		t.Fatalf("report: %d %s", rec.Code, rec.Body)
	}
	var rep struct {
		Total struct {
			Tickets       int
			FirstResponse struct{ Met, Breached, Pending int } `json:"first_response"`
			Breaches      []struct {
				Ticket      string
				LateSeconds int64 `json:"late_seconds"`
			}
		}
		Trend []json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	fr := rep.Total.FirstResponse
	if rep.Total.Tickets != 2 || fr.Met != 1 || fr.Breached != 1 || len(rep.Total.Breaches) != 1 ||
		rep.Total.Breaches[0].Ticket != "zammad:4801" || rep.Total.Breaches[0].LateSeconds != 3600 || len(rep.Trend) != 12 {
		t.Fatalf("report %+v", rep)
	}
	var oct struct {
		Total struct {
			Tickets       int
			FirstResponse struct{ Met, Breached int } `json:"first_response"`
			Resolution    struct{ Met, Breached int }
		}
	}
	if code := s.api("GET", "/api/v1/reports/sla?month=2026-10", nil, &oct); code != 200 || oct.Total.Tickets != 3 ||
		oct.Total.FirstResponse.Met != 2 || oct.Total.FirstResponse.Breached != 1 ||
		oct.Total.Resolution.Met != 1 || oct.Total.Resolution.Breached != 2 {
		t.Fatalf("October: %d %+v", code, oct)
	}
	var prob struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	if code := s.api("GET", "/api/v1/reports/sla?month=2026-13", nil, &prob); code != 400 || len(prob.Errors) != 1 || prob.Errors[0].Field != "month" {
		t.Fatalf("bad month: %d %+v", code, prob)
	}
	if code := s.api("GET", "/api/v1/reports/sla?month=2026-11&contract=nope", nil, nil); code != 404 {
		t.Fatalf("unknown contract: %d", code)
	}

	csv := get("/api/v1/reports/sla?month=2026-11&format=csv")
	if csv.Code != 200 || csv.Header().Get("Content-Disposition") != `attachment; filename="slaguard-sla-2026-11.csv"` ||
		!strings.Contains(csv.Body.String(), ",zammad:4801,10081,") {
		t.Fatalf("CSV: %d %v\n%s", csv.Code, csv.Header(), csv.Body)
	}
	if rec := get("/api/v1/reports/sla?month=2026-11&format=xml"); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"format"`) {
		t.Fatalf("bad format: %d %s", rec.Code, rec.Body)
	}
}

func TestBrowserReportShowsAchievementAndDownloadsTheCSV(t *testing.T) {
	ctx := newBrowser(t)
	s, id := reportScenario(t)
	ct := struct{ ID string }{id}
	login(t, ctx, s.URL)
	browse(t, ctx, "open the report",
		chromedp.Navigate(s.URL+"/report?month=2026-11"),
		chromedp.WaitVisible(css(`#report-table`)),
	)
	cards := read(t, ctx, "cards", chromedp.Text(css(`#report-cards`)))
	if !strings.Contains(cards, "50.0 %") || !strings.Contains(cards, "1 met, 1 breached, 0 pending") {
		t.Fatalf("cards: %q", cards)
	}
	def := read(t, ctx, "definition", chromedp.Text(css(`#report-definition`)))
	if !strings.Contains(def, "met on time ÷ (clocks met on time + clocks breached)") || !strings.Contains(def, "pending") {
		t.Fatalf("definition: %q", def)
	}
	breach := read(t, ctx, "breach row", chromedp.Text(css(`#report-breaches tr[data-ticket="zammad:4801"]`)))
	if !strings.Contains(breach, "first response") || !strings.Contains(breach, "1 h 00 min") || !strings.Contains(breach, "2026-11-24 17:00") {
		t.Fatalf("breach row: %q", breach)
	}
	svg := read(t, ctx, "trend", chromedp.Evaluate[string](`(() => { const s = document.querySelector('.trend svg');
		return s ? s.getAttribute('role') + '|' + s.querySelector('title').textContent + '|' + s.querySelector('desc').textContent : '' })()`))
	if !strings.Contains(svg, "img|SLA achievement, last 12 months|") || !strings.Contains(svg, "2026-11: first response 50.0 %") ||
		!strings.Contains(svg, "2026-10: first response 66.6 %, resolution 33.3 %, 3 tickets") {
		t.Fatalf("trend chart: %q", svg)
	}
	checkLabelsAndContrast(t, ctx, "report")
	t.Logf("report screenshot: %s", screenshot(t, ctx, "report.png"))

	// The CSV link downloads with the session: its name and its rows.
	got := read(t, ctx, "download CSV", chromedp.Evaluate[string](`(async () => {
		const a = document.getElementById('report-csv');
		const r = await fetch(a.href, { credentials: 'same-origin' });
		return r.status + '\n' + r.headers.get('Content-Disposition') + '\n' + await r.text(); })()`,
		chromedp.EvalAwaitPromise))
	for _, want := range []string{"200\n", `attachment; filename="slaguard-sla-2026-11.csv"`,
		"contract,2026-11," + ct.ID + ",Tischlerei Holz,sla1,,2,1,1,0,50.0,",
		",zammad:4801,10081,Kontaktformular sendet nicht,first_response,2026-11-24 17:00,,1.00,"} {
		if !strings.Contains(got, want) {
			t.Fatalf("CSV lacks %q:\n%s", want, got)
		}
	}

	// A bad month is named next to its field.
	browse(t, ctx, "bad month", chromedp.Navigate(s.URL+"/report?month=2026-13"), chromedp.WaitVisible(css(`#report-month-error`)))
	if inv := read(t, ctx, "aria-invalid", chromedp.AttributeValue(css(`#report-month`), "aria-invalid")); inv.Value != "true" {
		t.Fatal("the month field is not marked invalid")
	}
}
