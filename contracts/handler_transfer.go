package contracts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
)

// ExportFormat names the shape of an export; Import refuses any other.
const ExportFormat = "slaguard-contracts/1"

// maxImportBody is the largest import body: thousands of contracts.
const maxImportBody = 32 << 20

// Export is every contract of an instance, deleted ones included (billing and history
// refer to them), as GET /contracts/export gives and POST /contracts/import takes.
type Export struct {
	Format     string      `json:"format"`
	ExportedAt time.Time   `json:"exported_at"`
	Contracts  []*Contract `json:"contracts"`
}

// ImportResult says what an import did with each contract of the file.
type ImportResult struct {
	Created   []string      `json:"created"`
	Skipped   []ImportIssue `json:"skipped"`
	Conflicts []ImportIssue `json:"conflicts"`
}

// ImportIssue is a contract an import did not store, and why.
type ImportIssue struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

func (h *Handler) history(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	items, err := h.repo.History(ctx, id)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		if _, err := h.repo.Get(ctx, id); err != nil {
			return toProblem(err)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (h *Handler) export(c echo.Context) error {
	all, err := h.repo.All(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="contracts.json"`)
	views := make([]view, len(all))
	for i, ct := range all {
		views[i] = h.view(ct)
	}
	return c.JSON(http.StatusOK, map[string]any{"format": ExportFormat, "exported_at": h.clock().UTC(), "contracts": views})
}

// importAll stores every contract of an export whose id is free. The file is checked as a
// whole first (a bad one stores nothing); a contract whose id exists is skipped, one
// whose organisation or domain another contract holds is reported as a conflict.
func (h *Handler) importAll(c echo.Context) error {
	if err := requireJSON(c, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxImportBody+1))
	if err != nil {
		return problem.New(http.StatusBadRequest, "the request body could not be read")
	}
	if len(body) > maxImportBody {
		return problem.New(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", maxImportBody))
	}
	var x Export
	if err := json.Unmarshal(body, &x); err != nil {
		return problem.Fields(http.StatusBadRequest, "the body is not a contracts export",
			problem.FieldError{Field: "contracts", Reason: "must be the JSON of GET /api/v1/contracts/export: " + err.Error()})
	}
	var bad []problem.FieldError
	if x.Format != ExportFormat {
		bad = append(bad, problem.FieldError{Field: "format", Reason: "must be " + ExportFormat})
	}
	seen := map[string]bool{}
	for i, ct := range x.Contracts {
		at := fmt.Sprintf("contracts[%d]", i)
		if ct == nil || ct.ID == "" {
			bad = append(bad, problem.FieldError{Field: at + ".id", Reason: "is required"})
			continue
		}
		if seen[ct.ID] {
			bad = append(bad, problem.FieldError{Field: at + ".id", Reason: "appears twice in the file"})
		}
		seen[ct.ID] = true
		var p *problem.Problem
		if err := validateSpec(c, &ct.Spec); errors.As(err, &p) {
			for _, fe := range p.Errors {
				bad = append(bad, problem.FieldError{Field: at + "." + fe.Field, Reason: fe.Reason})
			}
		} else if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		return problem.Fields(http.StatusUnprocessableEntity, "the export has invalid contracts; nothing was imported", bad...)
	}
	ctx := c.Request().Context()
	res := ImportResult{Created: []string{}, Skipped: []ImportIssue{}, Conflicts: []ImportIssue{}}
	for _, ct := range x.Contracts {
		var ce *ConflictError
		switch err := h.repo.Import(ctx, ct); {
		case err == nil:
			res.Created = append(res.Created, ct.ID)
			if err := h.record(c, ct.ID, "import", nil, ct); err != nil {
				return err
			}
		case errors.Is(err, ErrExists):
			res.Skipped = append(res.Skipped, ImportIssue{ID: ct.ID, Reason: "a contract with this id exists"})
		case errors.As(err, &ce):
			res.Conflicts = append(res.Conflicts, ImportIssue{ID: ct.ID,
				Reason: fmt.Sprintf("%s %s is held by contract %s, whose validity overlaps", ce.Kind, ce.Value, ce.ContractID)})
		default:
			return err
		}
	}
	return c.JSON(http.StatusOK, res)
}

// record appends a change by the request's admin to contract id's audit trail.
func (h *Handler) record(c echo.Context, id, action string, before, after *Contract) error {
	ctx := c.Request().Context()
	who := h.who(ctx)
	if who == "" {
		who = "unknown"
	}
	return h.repo.Record(ctx, id, Change{At: h.clock().UTC(), Who: who, Action: action, Before: before, After: after})
}
