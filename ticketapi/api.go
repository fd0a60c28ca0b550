package ticketapi

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// Config is what the API reads. Store, Contracts and Evaluate are required.
type Config struct {
	Store     *ticketstore.Store
	Contracts *contracts.Repo
	// Evaluate evaluates a ticket from its record at now.
	Evaluate func(ctx context.Context, rec *ticketstore.Record, now time.Time) (*ticketstore.Evaluation, error)
	// Clock is the present; nil means the system clock.
	Clock func() time.Time
}

// API serves the read-only ticket views, the at-risk board and quota usage under /api/v1.
type API struct {
	cfg Config
}

// New returns the ticket API.
func New(cfg Config) *API {
	if cfg.Clock == nil {
		cfg.Clock = clock.System
	}
	return &API{cfg: cfg}
}

// Register mounts the routes on g, the authenticated /api/v1 group.
func (a *API) Register(g *echo.Group) {
	g.GET("/tickets", a.list)
	g.GET("/tickets/:helpdesk/:id", a.get)
	g.GET("/contracts/:id/usage", a.usage)
}

// TicketView is a ticket's evaluated status (as of its last evaluation, re-evaluated at
// the request's instant) and its events in order.
type TicketView struct {
	ticketstore.Evaluation
	Events []helpdesk.Event `json:"events"`
}

func (a *API) get(c echo.Context) error {
	key := ticketstore.Key(c.Param("helpdesk"), c.Param("id"))
	ctx := c.Request().Context()
	rec, err := a.cfg.Store.Load(ctx, key)
	if errors.Is(err, ticketstore.ErrNoTicket) {
		return problem.New(http.StatusNotFound, "slaguard has no events of ticket "+key)
	}
	if err != nil {
		return err
	}
	ev, err := a.cfg.Evaluate(ctx, rec, a.cfg.Clock())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TicketView{Evaluation: *ev, Events: rec.Events})
}

// BoardEntry is one open ticket on the at-risk board.
type BoardEntry struct {
	Ticket       string         `json:"ticket"`
	Number       string         `json:"number,omitempty"`
	Title        string         `json:"title,omitempty"`
	ContractID   string         `json:"contract_id,omitempty"`
	Priority     sla.Priority   `json:"priority"`
	NextDeadline time.Time      `json:"next_deadline"`
	FirstResp    sla.ClockState `json:"first_response"`
	Resolution   sla.ClockState `json:"resolution"`
	Marks        []string       `json:"marks"`
}

// list serves the at-risk board: open tickets with a deadline, earliest first,
// optionally only those at risk or breached, or of one contract.
func (a *API) list(c echo.Context) error {
	mark, contract := c.QueryParam("mark"), c.QueryParam("contract")
	if mark != "" && mark != "at-risk" && mark != "breached" {
		return problem.Fields(http.StatusBadRequest, "unknown filter",
			problem.FieldError{Field: "mark", Reason: "must be at-risk or breached"})
	}
	limit := 100
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return problem.Fields(http.StatusBadRequest, "bad limit",
				problem.FieldError{Field: "limit", Reason: "must be a whole number from 1 to 1000"})
		}
		limit = n
	}
	ctx := c.Request().Context()
	keys, err := a.cfg.Store.Board(ctx)
	if err != nil {
		return err
	}
	out := []BoardEntry{}
	for _, k := range keys {
		if len(out) >= limit {
			break
		}
		sum, err := a.cfg.Store.Summary(ctx, k)
		if err != nil {
			continue
		}
		if contract != "" && sum.ContractID != contract {
			continue
		}
		if !matchesMark(sum, mark) {
			continue
		}
		e := BoardEntry{Ticket: k, Number: sum.Number, Title: sum.Title, ContractID: sum.ContractID,
			Priority: sum.Priority, NextDeadline: sum.Next, FirstResp: sum.FirstResp,
			Resolution: sum.Resolution, Marks: sum.Marks}
		if e.Marks == nil {
			e.Marks = []string{}
		}
		out = append(out, e)
	}
	return c.JSON(http.StatusOK, map[string]any{"tickets": out})
}

func matchesMark(s ticketstore.Summary, mark string) bool {
	switch mark {
	case "at-risk":
		return s.FirstResp == sla.ClockAtRisk || s.Resolution == sla.ClockAtRisk
	case "breached":
		return s.FirstResp == sla.ClockBreached || s.Resolution == sla.ClockBreached
	}
	return true
}

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

func (a *API) usage(c echo.Context) error {
	month := c.QueryParam("month")
	if month == "" {
		month = sla.Month(a.cfg.Clock())
	}
	if !monthPattern.MatchString(month) {
		return problem.Fields(http.StatusBadRequest, "bad month",
			problem.FieldError{Field: "month", Reason: "must be a month like 2026-11"})
	}
	ctx := c.Request().Context()
	ct, err := a.cfg.Contracts.Get(ctx, c.Param("id"))
	if errors.Is(err, contracts.ErrNotFound) {
		return problem.New(http.StatusNotFound, "no contract "+c.Param("id"))
	}
	if err != nil {
		return err
	}
	terms, err := ct.Terms()
	if err != nil {
		return err
	}
	u, err := a.cfg.Store.QuotaUsage(ctx, ct.ID, month, terms.QuotaPerMonth)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
