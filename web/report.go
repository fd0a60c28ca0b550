package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/report"
	"github.com/monobunt/slaguard/sla"
)

// Reports is where the report page gets its figures (reportapi.API).
type Reports interface {
	// Report is one month's report, of every contract when contractID is empty.
	Report(ctx context.Context, month, contractID string) (report.Report, error)
	// WithTrend is Report plus the trend of the months up to month.
	WithTrend(ctx context.Context, month, contractID string) (report.Report, []report.Point, error)
}

type reportData struct {
	layoutData
	Month, Contract string
	MonthError      string
	Contracts       []*contracts.Contract
	Report          report.Report
	Trend           template.HTML
	CSV             string
}

// reportQuery reads month and contract; a month that is not YYYY-MM is reported on the
// field and the current month shown instead.
func (s *Server) reportQuery(c echo.Context) (month, contract, monthErr string) {
	month, contract = strings.TrimSpace(c.QueryParam("month")), c.QueryParam("contract")
	if month == "" {
		return sla.Month(s.cfg.Clock()), contract, ""
	}
	if _, err := report.ParseMonth(month); err != nil {
		return sla.Month(s.cfg.Clock()), contract, "Must be a month like 2026-11 (from 2000-01 on); showing the current month."
	}
	return month, contract, ""
}

func (s *Server) reportPage(c echo.Context) error {
	if s.cfg.Reports == nil {
		return s.renderError(c, http.StatusNotFound, "Reports are not available in this process.")
	}
	ctx := c.Request().Context()
	d := reportData{layoutData: frame(c, "SLA report", "report")}
	d.Month, d.Contract, d.MonthError = s.reportQuery(c)
	page, err := s.cfg.Contracts.List(ctx, contracts.ListQuery{PerPage: contracts.MaxPerPage})
	if err != nil {
		return err
	}
	d.Contracts = page.Items
	r, trend, err := s.cfg.Reports.WithTrend(ctx, d.Month, d.Contract)
	if err != nil {
		if errors.Is(err, report.ErrNoContract) {
			return s.renderError(c, http.StatusNotFound, "There is no contract "+d.Contract+".")
		}
		return err
	}
	d.Report = r
	d.Trend = trendSVG(trend)
	d.CSV = "/report.csv?month=" + d.Month
	if d.Contract != "" {
		d.CSV += "&contract=" + d.Contract
	}
	status := http.StatusOK
	if d.MonthError != "" {
		status = http.StatusBadRequest
	}
	return s.render(c, status, "report.html", d)
}

// reportCSV is the page's CSV download (the API's, behind the session).
func (s *Server) reportCSV(c echo.Context) error {
	if s.cfg.Reports == nil {
		return s.renderError(c, http.StatusNotFound, "Reports are not available in this process.")
	}
	month, contract, monthErr := s.reportQuery(c)
	if monthErr != "" {
		return s.renderError(c, http.StatusBadRequest, "The month "+monthErr)
	}
	r, err := s.cfg.Reports.Report(c.Request().Context(), month, contract)
	if err != nil {
		if errors.Is(err, report.ErrNoContract) {
			return s.renderError(c, http.StatusNotFound, "There is no contract "+contract+".")
		}
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, r); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+report.FileName(r.Month, r.ContractID)+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8; header=present", buf.Bytes())
}

// trendSVG draws the months' achievement as an inline SVG line chart: first response
// and resolution in %, months along the x axis; a month without a decided clock leaves a
// gap. It has a title and a description that lists every value, for screen readers.
func trendSVG(points []report.Point) template.HTML {
	const (
		w, h                     = 760, 280
		left, right, top, bottom = 56, 32, 40, 56
	)
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	x := func(i int) float64 {
		if len(points) < 2 {
			return float64(left) + pw/2
		}
		return float64(left) + pw*float64(i)/float64(len(points)-1)
	}
	y := func(p float64) float64 { return float64(top) + ph*(100-p)/100 }
	var b strings.Builder
	esc := template.HTMLEscapeString
	var desc []string
	for _, p := range points {
		desc = append(desc, fmt.Sprintf("%s: first response %s, resolution %s, %d tickets", p.Month,
			pctWords(p.FirstResponse), pctWords(p.Resolution), p.Tickets))
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="trend-title trend-desc">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="trend-title">SLA achievement, last %d months</title>`, len(points))
	fmt.Fprintf(&b, `<desc id="trend-desc">%s</desc>`, esc(strings.Join(desc, "; ")+"."))
	// Grid and y axis: 0, 25, 50, 75, 100 %.
	for _, v := range []float64{0, 25, 50, 75, 100} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d0d7de"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" font-size="12" fill="#1b1f24">%.0f %%</text>`, left-6, y(v)+4, v)
	}
	fmt.Fprintf(&b, `<text x="14" y="%.1f" transform="rotate(-90 14 %.1f)" text-anchor="middle" font-size="13" fill="#1b1f24">Achievement (%%)</text>`, float64(top)+ph/2, float64(top)+ph/2)
	for i, p := range points {
		t, _ := report.ParseMonth(p.Month)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="12" fill="#1b1f24">%s</text>`, x(i), h-bottom+18, esc(t.Format("Jan 06")))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="13" fill="#1b1f24">Month (tickets created)</text>`, float64(left)+pw/2, h-8)
	series := []struct {
		name, colour, dash string
		get                func(report.Point) *float64
	}{
		{"First response", "#0b57d0", "", func(p report.Point) *float64 { return p.FirstResponse.Percent }},
		{"Resolution", "#8a1116", "6 4", func(p report.Point) *float64 { return p.Resolution.Percent }},
	}
	for si, sr := range series {
		// Legend.
		lx := left + si*180
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="16" y2="16" stroke="%s" stroke-width="3" stroke-dasharray="%s"/>`, lx, lx+28, sr.colour, sr.dash)
		fmt.Fprintf(&b, `<text x="%d" y="20" font-size="13" fill="#1b1f24">%s</text>`, lx+34, sr.name)
		var seg []string
		flush := func() {
			if len(seg) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="3" stroke-dasharray="%s" points="%s"/>`, sr.colour, sr.dash, strings.Join(seg, " "))
			}
			seg = nil
		}
		for i, p := range points {
			v := sr.get(p)
			if v == nil {
				flush()
				continue
			}
			seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(*v)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s %s: %.1f %%</title></circle>`, x(i), y(*v), sr.colour, sr.name, p.Month, *v)
		}
		flush()
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text in it is escaped above
}

// viennaAt writes an optional instant in Vienna time.
func viennaAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(vienna).Format("2006-01-02 15:04")
}

func pctWords(a report.Achievement) string {
	if a.Percent == nil {
		return "none decided"
	}
	return fmt.Sprintf("%.1f %%", *a.Percent)
}

// hoursMinutes writes seconds of business time as "4 h 00 min".
func hoursMinutes(sec int64) string { return formatDuration(time.Duration(sec) * time.Second) }

// percent writes an achievement as "75.0 %", "–" when no clock was decided.
func percent(a report.Achievement) string {
	if a.Percent == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", *a.Percent)
}
