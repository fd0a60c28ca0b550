package billing

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	"regexp"
	"strconv"
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

// Handler serves the billing exports. It only reads the ledger, except for closing a month.
type Handler struct{ cfg HandlerConfig }

// NewHandler returns the billing routes over cfg.Ledger.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Handler{cfg: cfg}
}

// Register mounts the routes on g, the authenticated /api/v1 group:
//
//	GET  /billing/:month                 every contract's export (JSON or CSV)
//	GET  /contracts/:id/billing/:month   one contract's export
//	POST /billing/:month/close           close a month that is over
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
		return problem.Fields(http.StatusBadRequest, "the month must be written YYYY-MM",
			problem.FieldError{Field: "month", Reason: "must be a month like 2026-11"})
	}
	return err
}

func (h *Handler) export(c echo.Context, contractID string) error {
	month := c.Param("month")
	if _, err := parseMonth(month); err != nil {
		return monthProblem(err)
	}
	format, dialect, err := negotiate(c)
	if err != nil {
		return err
	}
	x, err := h.cfg.Ledger.Export(c.Request().Context(), month, contractID)
	if err != nil {
		return monthProblem(err)
	}
	var buf bytes.Buffer
	if format == "json" {
		if err := WriteJSON(&buf, x); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
	}
	if err := WriteCSV(&buf, x, dialect); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, "attachment; filename="+FileName(month, contractID, "csv"))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8; header=present", buf.Bytes())
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName is the name an export is saved under: slaguard-regie-2026-11.csv, or with the
// contract id (reduced to letters, digits, ".", "_" and "-") for one contract's export.
func FileName(month, contractID, ext string) string {
	name := "slaguard-regie-" + month
	if contractID != "" {
		name += "-" + unsafeName.ReplaceAllString(contractID, "_")
	}
	return name + "." + ext
}

// negotiate picks JSON or CSV (?format= wins over Accept; JSON unless CSV is preferred)
// and the CSV dialect, answering 400 naming the bad query parameter.
func negotiate(c echo.Context) (format string, d Dialect, err error) {
	format = c.QueryParam("format")
	switch format {
	case "json", "csv":
	case "":
		format = preferred(c.Request().Header.Get(echo.HeaderAccept))
	default:
		return "", "", problem.Fields(http.StatusBadRequest, "unknown format",
			problem.FieldError{Field: "format", Reason: "must be json or csv"})
	}
	d, err = ParseDialect(c.QueryParam("dialect"))
	if err != nil {
		return "", "", problem.Fields(http.StatusBadRequest, "unknown CSV dialect",
			problem.FieldError{Field: "dialect", Reason: "must be excel-at or rfc4180"})
	}
	return format, d, nil
}

// preferred reads an Accept header: "csv" when text/csv has a higher quality than any
// JSON type (ties go to the one listed first), else "json".
func preferred(accept string) string {
	best, bestQ := "json", -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		var kind string
		switch mt {
		case "text/csv":
			kind = "csv"
		case "application/json", "application/*", "*/*":
			kind = "json"
		default:
			continue
		}
		if q > 0 && q > bestQ {
			best, bestQ = kind, q
		}
	}
	return best
}

func (h *Handler) close(c echo.Context) error {
	x, err := h.cfg.Ledger.Close(c.Request().Context(), c.Param("month"), h.cfg.Clock())
	if errors.Is(err, ErrMonthNotOver) {
		return problem.New(http.StatusConflict, "the month is not over yet; only past months can be closed")
	}
	if err != nil {
		return monthProblem(err)
	}
	return c.JSON(http.StatusOK, x)
}
