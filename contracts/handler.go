package contracts

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
)

// HandlerConfig is what the plans and contracts API needs.
type HandlerConfig struct {
	// Repo stores the contracts; required.
	Repo *Repo
	// OpenTickets counts the open tickets under a contract, to decide how DELETE ends it;
	// nil counts 0.
	OpenTickets func(ctx context.Context, contractID string) (int, error)
	// Clock is the present (nil: time.Now); "today" is its Europe/Vienna date.
	Clock func() time.Time
	// Who names the admin a request acts for (adminauth.Name), for the audit trail; nil
	// or "" records "unknown".
	Who func(ctx context.Context) string
}

// Handler serves /plans and /contracts under the admin API group.
type Handler struct {
	repo        *Repo
	openTickets func(ctx context.Context, contractID string) (int, error)
	clock       func() time.Time
	who         func(ctx context.Context) string
}

// NewHandler returns the handler for cfg; it panics without a Repo (a wiring mistake).
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Repo == nil {
		panic("contracts: NewHandler without a Repo")
	}
	h := &Handler{repo: cfg.Repo, openTickets: cfg.OpenTickets, clock: cfg.Clock, who: cfg.Who}
	if h.who == nil {
		h.who = func(context.Context) string { return "" }
	}
	if h.openTickets == nil {
		h.openTickets = func(context.Context, string) (int, error) { return 0, nil }
	}
	if h.clock == nil {
		h.clock = time.Now
	}
	return h
}

// Register adds the routes to g, the /api/v1 group (which already requires the admin
// token). Errors are returned as *problem.Problem for problem.ErrorHandler to write.
func (h *Handler) Register(g *echo.Group) {
	g.GET("/plans", h.listPlans)
	g.GET("/plans/:id", h.getPlan)
	g.POST("/contracts", h.create)
	g.GET("/contracts", h.list)
	g.GET("/contracts/match", h.match)
	g.GET("/contracts/export", h.export)
	g.POST("/contracts/import", h.importAll)
	g.GET("/contracts/:id", h.get)
	g.PUT("/contracts/:id", h.put)
	g.PATCH("/contracts/:id", h.patch)
	g.DELETE("/contracts/:id", h.delete)
	g.GET("/contracts/:id/effective", h.effective)
	g.GET("/contracts/:id/history", h.history)
}

// view is a contract as the API shows it: stored fields plus whether it is active today.
type view struct {
	*Contract
	Active bool `json:"active"`
}

func (h *Handler) view(c *Contract) view { return view{Contract: c, Active: c.ActiveAt(h.clock())} }

// writeContract sends c with its ETag.
func (h *Handler) writeContract(c echo.Context, status int, ct *Contract) error {
	c.Response().Header().Set("ETag", ct.ETag())
	return c.JSON(status, h.view(ct))
}

// toProblem turns the repository's errors into the answer they deserve; anything else
// stays an error (a 500 whose cause is logged).
func toProblem(err error) error {
	var p *problem.Problem
	var ce *ConflictError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ce):
		pr := problem.New(http.StatusConflict,
			fmt.Sprintf("%s %s is held by contract %s, whose validity overlaps", ce.Kind, ce.Value, ce.ContractID))
		pr.Extra = map[string]any{"conflicting_contract": ce.ContractID}
		return pr
	case errors.Is(err, ErrNotFound):
		return problem.New(http.StatusNotFound, "no contract has this id")
	case errors.Is(err, ErrStale):
		return problem.New(http.StatusPreconditionFailed, "the contract was changed since it was read; GET it again and retry with its new ETag")
	case errors.Is(err, ErrDeleted):
		return problem.New(http.StatusConflict, "the contract is deleted and can no longer change")
	}
	return err
}

// expectedVersion reads If-Match against the current contract: 428 without it, 412 when
// none of its tags is the current ETag ("*" matches any).
func expectedVersion(c echo.Context, cur *Contract) (int, error) {
	h := c.Request().Header.Get("If-Match")
	if strings.TrimSpace(h) == "" {
		return 0, problem.New(http.StatusPreconditionRequired, "If-Match with the contract's ETag is required to change it")
	}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == cur.ETag() {
			return cur.Version, nil
		}
	}
	return 0, toProblem(ErrStale)
}

// requireJSON refuses bodies that say they are something other than the allowed types.
func requireJSON(c echo.Context, allowed ...string) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, a := range allowed {
			if mt == a {
				return nil
			}
		}
	}
	return problem.New(http.StatusUnsupportedMediaType, "the body must be "+strings.Join(allowed, " or "))
}

// validateSpec checks spec with echo's validator (a fresh problem.NewValidator if none).
func validateSpec(c echo.Context, spec *Spec) error {
	spec.Normalize()
	if v := c.Echo().Validator; v != nil {
		return spec.Validate(v)
	}
	return spec.Validate(nil)
}

func parseInt(c echo.Context, name string, def, lo, hi int, bad *[]problem.FieldError) int {
	s := c.QueryParam(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		*bad = append(*bad, problem.FieldError{Field: name, Reason: fmt.Sprintf("must be an integer from %d to %d", lo, hi)})
		return def
	}
	return n
}
