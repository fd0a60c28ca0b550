package billing

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
)

// HandlerConfig configures the billing routes.
type HandlerConfig struct {
	Ledger *Ledger
	// Clock is the present (nil: time.Now); a month can be closed once it is over.
	Clock func() time.Time
	// ContractExists, when set, makes the per-contract export answer 404 for a contract
	// that does not exist (rather than an empty export).
	ContractExists func(ctx context.Context, id string) (bool, error)
}

// Handler serves the billing exports under the admin API group.
type Handler struct{ cfg HandlerConfig }

// NewHandler returns the billing routes.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Handler{cfg: cfg}
}

// Register mounts the routes on g, the authenticated /api/v1 group.
func (h *Handler) Register(g *echo.Group) {
	g.GET("/billing/:month", h.all)
	g.POST("/billing/:month/close", h.close)
	g.GET("/contracts/:id/billing/:month", h.contract)
}

func (h *Handler) all(c echo.Context) error { return h.export(c, "") }

func (h *Handler) contract(c echo.Context) error {
	id := c.Param("id")
	if h.cfg.ContractExists != nil {
		ok, err := h.cfg.ContractExists(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if !ok {
			return problem.New(http.StatusNotFound, "no contract "+id)
		}
	}
	return h.export(c, id)
}

func monthProblem(err error) error {
	if errors.Is(err, ErrBadMonth) {
		return problem.Fields(http.StatusBadRequest, "bad month",
			problem.FieldError{Field: "month", Reason: "must be a month like 2026-11"})
	}
	return err
}

func (h *Handler) export(c echo.Context, contractID string) error {
	month := c.Param("month")
	format, dialect, err := negotiate(c)
	if err != nil {
		return err
	}
	x, err := h.cfg.Ledger.Export(c.Request().Context(), month, contractID)
	if err != nil {
		return monthProblem(err)
	}
	var buf bytes.Buffer
	if format == "csv" {
		if err := WriteCSV(&buf, x, dialect); err != nil {
			return err
		}
		name := "slaguard-regie-" + month
		if contractID != "" {
			name += "-" + contractID
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	if err := WriteJSON(&buf, x); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
}

// negotiate picks JSON or CSV (?format= wins over Accept) and the CSV dialect.
func negotiate(c echo.Context) (format string, d Dialect, err error) {
	format = c.QueryParam("format")
	switch format {
	case "json", "csv":
	case "":
		format = "json"
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
			format = "csv"
		}
	default:
		return "", "", problem.Fields(http.StatusBadRequest, "unknown format",
			problem.FieldError{Field: "format", Reason: "must be json or csv"})
	}
	d, err = ParseDialect(c.QueryParam("dialect"))
	if err != nil {
		return "", "", problem.Fields(http.StatusBadRequest, "unknown dialect",
			problem.FieldError{Field: "dialect", Reason: "must be excel-at or rfc4180"})
	}
	return format, d, nil
}

func (h *Handler) close(c echo.Context) error {
	x, err := h.cfg.Ledger.Close(c.Request().Context(), c.Param("month"), h.cfg.Clock())
	if errors.Is(err, ErrMonthOpen) {
		return problem.New(http.StatusConflict, "the month is not over yet; only past months can be closed")
	}
	if err != nil {
		return monthProblem(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, x); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
}
