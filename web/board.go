package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/ticketstore"
)

// The marks the board filters on.
const (
	markAtRisk   = "at-risk"
	markBreached = "breached"
	markPaused   = "paused"
)

// boardRow is one open ticket as the board shows it at the request's instant.
type boardRow struct {
	Key, Number, Title, URL string
	ContractID, Customer    string
	Plan                    string
	Priority                sla.Priority
	// Left is the business time left to the next deadline; negative when it passed.
	Left     time.Duration
	Due      time.Time
	AtRisk   bool
	Breached bool
	Paused   bool
	// Corrected names the priority the ticket came in with, when slaguard corrected it.
	Corrected bool
}

type boardData struct {
	layoutData
	Contract, Mark string
	Contracts      []*contracts.Contract
	Rows           []boardRow
	// Total is the number of open tickets before the filters.
	Total int
	Now   time.Time
}

func (s *Server) board(c echo.Context) error {
	d, err := s.boardData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "board.html", d)
}

// boardRows is the part of the board its script fetches every few seconds.
func (s *Server) boardRows(c echo.Context) error {
	d, err := s.boardData(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Board-Status", d.Status())
	return s.renderPart(c, http.StatusOK, "board.html", "rows", d)
}

// Status says how many tickets the board shows and as of when.
func (d boardData) Status() string {
	return fmt.Sprintf("%d of %d open tickets, as of %s", len(d.Rows), d.Total, d.Now.In(vienna).Format("2006-01-02 15:04:05"))
}

func (s *Server) boardData(c echo.Context) (boardData, error) {
	ctx := c.Request().Context()
	d := boardData{layoutData: frame(c, "Board", "board"), Contract: c.QueryParam("contract"), Mark: c.QueryParam("mark")}
	switch d.Mark {
	case "", markAtRisk, markBreached, markPaused:
	default:
		d.Mark = ""
	}
	page, err := s.cfg.Contracts.List(ctx, contracts.ListQuery{PerPage: contracts.MaxPerPage})
	if err != nil {
		return d, err
	}
	d.Contracts = page.Items
	d.Now = s.cfg.Clock()
	rows, err := s.openTickets(ctx, d.Now)
	if err != nil {
		return d, err
	}
	d.Total = len(rows)
	for _, r := range rows {
		if d.Contract != "" && r.ContractID != d.Contract {
			continue
		}
		switch {
		case d.Mark == markAtRisk && !r.AtRisk,
			d.Mark == markBreached && !r.Breached,
			d.Mark == markPaused && !r.Paused:
			continue
		}
		d.Rows = append(d.Rows, r)
	}
	return d, nil
}

// openTickets reads the board's tickets and works out, at now, how much business time each
// has left: between two evaluations a ticket can turn at risk or breached, and the board
// shows that at once.
func (s *Server) openTickets(ctx context.Context, now time.Time) ([]boardRow, error) {
	if s.cfg.Tickets == nil {
		return nil, nil
	}
	keys, err := s.cfg.Tickets.Board(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := s.cfg.Tickets.Summaries(ctx, keys)
	if err != nil {
		return nil, err
	}
	terms := newTermsCache(s.cfg.Contracts)
	rows := make([]boardRow, 0, len(sums))
	for _, sum := range sums {
		if sum.ContractID == "" || sum.Next.IsZero() {
			continue // not under contract: no deadline to watch
		}
		ct, t, err := terms.get(ctx, sum.ContractID)
		if err != nil {
			return nil, err
		}
		r := boardRow{Key: sum.Key, Number: sum.Number, Title: sum.Title, ContractID: sum.ContractID,
			Priority: sum.Priority, Due: sum.Next, Paused: sum.Paused, Corrected: sum.CorrectedTo != ""}
		if s.cfg.TicketURL != nil {
			r.URL = s.cfg.TicketURL(sum.Key)
		}
		if ct != nil {
			r.Customer, r.Plan = ct.Customer, ct.Plan
		}
		r.Breached = sum.FirstResp == sla.ClockBreached || sum.Resolution == sla.ClockBreached
		r.AtRisk = sum.FirstResp == sla.ClockAtRisk || sum.Resolution == sla.ClockAtRisk
		switch {
		case sum.Paused:
			// The clocks stand still: what was left at the evaluation is still left.
			r.Left = time.Duration(sum.Left) * time.Second
		default:
			cal := t.CalendarFor(sum.Priority)
			if now.Before(sum.Next) {
				r.Left = cal.Between(now, sum.Next, nil)
			} else {
				r.Left = -cal.Between(sum.Next, now, nil)
				r.Breached = true
			}
			if sum.RiskAt != 0 && !now.Before(time.Unix(sum.RiskAt, 0)) {
				r.AtRisk = true
			}
		}
		if r.Breached {
			r.AtRisk = false // a breach says more
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Left != rows[j].Left {
			return rows[i].Left < rows[j].Left
		}
		return rows[i].Key < rows[j].Key
	})
	return rows, nil
}

// termsCache reads each contract once per request.
type termsCache struct {
	repo *contracts.Repo
	m    map[string]termsEntry
}

type termsEntry struct {
	ct *contracts.Contract
	t  sla.Terms
}

func newTermsCache(repo *contracts.Repo) *termsCache {
	return &termsCache{repo: repo, m: map[string]termsEntry{}}
}

// get returns the contract and its terms; a contract gone since has the default terms.
func (tc *termsCache) get(ctx context.Context, id string) (*contracts.Contract, sla.Terms, error) {
	if e, ok := tc.m[id]; ok {
		return e.ct, e.t, nil
	}
	var e termsEntry
	ct, err := tc.repo.Get(ctx, id)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		e.t = sla.Terms{}
	case err != nil:
		return nil, sla.Terms{}, err
	default:
		t, err := ct.Terms()
		if err != nil {
			return nil, sla.Terms{}, err
		}
		e = termsEntry{ct: ct, t: t}
	}
	tc.m[id] = e
	return e.ct, e.t, nil
}

// ZammadTicketURL returns the function that links a ticket key ("zammad:4711") to the
// ticket in a Zammad at base; keys of other helpdesks get no link.
func ZammadTicketURL(base string) func(key string) string {
	base = strings.TrimRight(base, "/")
	return func(key string) string {
		hd, id, ok := ticketstore.SplitKey(key)
		if !ok || hd != "zammad" || base == "" {
			return ""
		}
		return base + "/#ticket/zoom/" + id
	}
}
