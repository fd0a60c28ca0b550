// Package reportapi gathers the monthly SLA report from the ticket logs, the contracts
// and the billing ledger, and serves it under /api/v1/reports/sla (JSON or CSV). The
// figures themselves are package report's.
package reportapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/billing"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/report"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// TrendMonths is how many months the trend shows, the report's month last.
const TrendMonths = 12

// Config is what the reports read; all fields but Clock are required.
type Config struct {
	Store     *ticketstore.Store
	Contracts *contracts.Repo
	Ledger    *billing.Ledger
	// Evaluate evaluates a ticket from its record at now (jobs.Worker.View): the same
	// decision the worker makes, under the contract as it is now.
	Evaluate func(ctx context.Context, rec *ticketstore.Record, now time.Time) (*ticketstore.Evaluation, error)
	// Clock is the present; nil means the system clock.
	Clock func() time.Time
}

// API serves and gathers the reports.
type API struct{ cfg Config }

// New returns the report API.
func New(cfg Config) *API {
	if cfg.Clock == nil {
		cfg.Clock = clock.System
	}
	return &API{cfg: cfg}
}

// Response is the report of a month with the trend of the months up to it.
type Response struct {
	report.Report
	// Trend is the achievement of the TrendMonths months up to the report's, oldest first.
	Trend []report.Point `json:"trend"`
}

// Register mounts GET /reports/sla on g, the authenticated /api/v1 group.
func (a *API) Register(g *echo.Group) {
	g.GET("/reports/sla", a.get)
}

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// Month checks a month query ("" is the current month in Europe/Vienna) and answers 400
// naming the field when it is not YYYY-MM.
func (a *API) Month(s string) (string, error) {
	if s == "" {
		return sla.Month(a.cfg.Clock()), nil
	}
	if !monthPattern.MatchString(s) {
		return "", problem.Fields(http.StatusBadRequest, "the month must be written YYYY-MM",
			problem.FieldError{Field: "month", Reason: "must be a month like 2026-11"})
	}
	if _, err := report.ParseMonth(s); err != nil {
		return "", problem.Fields(http.StatusBadRequest, "the month must be written YYYY-MM",
			problem.FieldError{Field: "month", Reason: "must be a month from 2000-01 on"})
	}
	return s, nil
}

func (a *API) get(c echo.Context) error {
	month, err := a.Month(c.QueryParam("month"))
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	switch format {
	case "", "json", "csv":
	default:
		return problem.Fields(http.StatusBadRequest, "unknown format",
			problem.FieldError{Field: "format", Reason: "must be json or csv"})
	}
	contractID := c.QueryParam("contract")
	ctx := c.Request().Context()
	if format == "csv" {
		r, err := a.Report(ctx, month, contractID)
		if err != nil {
			return notFound(err, contractID)
		}
		return CSV(c, r)
	}
	r, trend, err := a.WithTrend(ctx, month, contractID)
	if err != nil {
		return notFound(err, contractID)
	}
	return c.JSON(http.StatusOK, Response{Report: r, Trend: trend})
}

func notFound(err error, id string) error {
	if errors.Is(err, report.ErrNoContract) {
		return problem.Fields(http.StatusNotFound, "no contract "+id,
			problem.FieldError{Field: "contract", Reason: "no contract has this id"})
	}
	return err
}

// CSV answers the report as a CSV download.
func CSV(c echo.Context, r report.Report) error {
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, r); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+report.FileName(r.Month, r.ContractID)+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8; header=present", buf.Bytes())
}

// Report gathers and computes one month's report, of every contract when contractID is
// empty. Each ticket is evaluated from its log at the present instant.
func (a *API) Report(ctx context.Context, month, contractID string) (report.Report, error) {
	g, err := a.gatherer(ctx, contractID)
	if err != nil {
		return report.Report{}, err
	}
	return g.month(ctx, month)
}

// WithTrend is Report plus the trend of the TrendMonths months up to month.
func (a *API) WithTrend(ctx context.Context, month, contractID string) (report.Report, []report.Point, error) {
	g, err := a.gatherer(ctx, contractID)
	if err != nil {
		return report.Report{}, nil, err
	}
	months, err := report.Months(month, TrendMonths)
	if err != nil {
		return report.Report{}, nil, err
	}
	var r report.Report
	trend := make([]report.Point, 0, len(months))
	for _, m := range months {
		mr, err := g.month(ctx, m)
		if err != nil {
			return report.Report{}, nil, err
		}
		trend = append(trend, report.PointOf(mr))
		r = mr // the last is the report's month
	}
	return r, trend, nil
}

// gatherer reads the contracts once for a series of months.
type gatherer struct {
	a          *API
	now        time.Time
	contractID string
	contracts  []*contracts.Contract
	terms      map[string]sla.Terms
}

func (a *API) gatherer(ctx context.Context, contractID string) (*gatherer, error) {
	g := &gatherer{a: a, now: a.cfg.Clock(), contractID: contractID, terms: map[string]sla.Terms{}}
	if contractID != "" {
		ct, err := a.cfg.Contracts.Get(ctx, contractID)
		if errors.Is(err, contracts.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s", report.ErrNoContract, contractID)
		}
		if err != nil {
			return nil, err
		}
		g.contracts = []*contracts.Contract{ct}
	} else {
		all, err := a.cfg.Contracts.All(ctx)
		if err != nil {
			return nil, err
		}
		g.contracts = all
	}
	for _, ct := range g.contracts {
		t, err := ct.Terms()
		if err != nil {
			return nil, fmt.Errorf("reportapi: terms of contract %s: %w", ct.ID, err)
		}
		g.terms[ct.ID] = t
	}
	return g, nil
}

func (g *gatherer) month(ctx context.Context, month string) (report.Report, error) {
	in := report.Input{Month: month, AsOf: g.now, ContractID: g.contractID, Regie: map[string]report.Regie{}}
	var keys []string
	seen := map[string]bool{}
	for _, ct := range g.contracts {
		in.Contracts = append(in.Contracts, report.Contract{ID: ct.ID, Customer: ct.Customer, Plan: ct.Plan,
			QuotaPerMonth: g.terms[ct.ID].QuotaPerMonth})
		ks, err := g.a.cfg.Store.MonthTickets(ctx, ct.ID, month)
		if err != nil {
			return report.Report{}, err
		}
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	recs, err := g.a.cfg.Store.LoadMany(ctx, keys)
	if err != nil {
		return report.Report{}, err
	}
	for _, k := range keys {
		rec, ok := recs[k]
		if !ok {
			continue
		}
		ev, err := g.a.cfg.Evaluate(ctx, rec, g.now)
		if errors.Is(err, ticketstore.ErrNoTicket) {
			continue
		}
		if err != nil {
			return report.Report{}, err
		}
		terms, ok := g.terms[ev.ContractID]
		if !ok || sla.Month(ev.CreatedAt) != month {
			continue // no contract now (ended by an admin), or not of this month
		}
		in.Tickets = append(in.Tickets, report.Ticket{Key: ev.Ticket, Number: ev.Number, Title: ev.Title,
			ContractID: ev.ContractID, CreatedAt: ev.CreatedAt, Status: ev.Status,
			Calendar: terms.CalendarFor(ev.Status.Priority)})
	}
	x, err := g.a.cfg.Ledger.Export(ctx, month, g.contractID)
	if err != nil {
		return report.Report{}, err
	}
	for _, ct := range x.Contracts {
		in.Regie[ct.ContractID] = report.Regie{BilledSeconds: ct.Total.BilledSeconds, AmountCents: ct.Total.AmountCents}
	}
	return report.Build(in), nil
}
