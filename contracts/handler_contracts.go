package contracts

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

func (h *Handler) create(c echo.Context) error {
	if err := requireJSON(c, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	var spec Spec
	if err := problem.Decode(c.Request().Body, &spec); err != nil {
		return err
	}
	if err := validateSpec(c, &spec); err != nil {
		return err
	}
	ct, err := h.repo.Create(c.Request().Context(), spec)
	if err != nil {
		return toProblem(err)
	}
	if err := h.record(c, ct.ID, "create", nil, ct); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, strings.TrimSuffix(c.Request().URL.Path, "/")+"/"+ct.ID)
	return h.writeContract(c, http.StatusCreated, ct)
}

func (h *Handler) get(c echo.Context) error {
	ct, err := h.repo.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return toProblem(err)
	}
	return h.writeContract(c, http.StatusOK, ct)
}

func (h *Handler) list(c echo.Context) error {
	var bad []problem.FieldError
	q := ListQuery{Plan: c.QueryParam("plan"), At: Date(c.QueryParam("at"))}
	q.Page = parseInt(c, "page", 1, 1, 1_000_000, &bad)
	q.PerPage = parseInt(c, "per_page", DefaultPerPage, 1, MaxPerPage, &bad)
	if _, ok := sla.LookupPlan(q.Plan); q.Plan != "" && !ok {
		bad = append(bad, problem.FieldError{Field: "plan", Reason: "is not a known plan; one of: " + strings.Join(sla.PlanIDs(), ", ")})
	}
	if s := c.QueryParam("active"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			bad = append(bad, problem.FieldError{Field: "active", Reason: "must be true or false"})
		}
		q.Active = &b
	}
	if q.At == "" {
		q.At = DateOf(h.clock())
	} else if !q.At.Valid() {
		bad = append(bad, problem.FieldError{Field: "at", Reason: "must be a date like 2026-01-31"})
	}
	if len(bad) > 0 {
		return problem.Fields(http.StatusBadRequest, "the query has invalid parameters", bad...)
	}
	page, err := h.repo.List(c.Request().Context(), q)
	if err != nil {
		return err
	}
	items := make([]view, len(page.Items))
	for i, ct := range page.Items {
		items[i] = h.view(ct)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"items": items, "page": page.Page, "per_page": page.PerPage, "total": page.Total,
	})
}

func (h *Handler) put(c echo.Context) error {
	if err := requireJSON(c, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, version, err := h.current(c)
	if err != nil {
		return err
	}
	var spec Spec
	if err := problem.Decode(c.Request().Body, &spec); err != nil {
		return err
	}
	if err := validateSpec(c, &spec); err != nil {
		return err
	}
	ct, err := h.repo.Update(ctx, cur.ID, version, spec)
	if err != nil {
		return toProblem(err)
	}
	if err := h.record(c, ct.ID, "replace", cur, ct); err != nil {
		return err
	}
	return h.writeContract(c, http.StatusOK, ct)
}

func (h *Handler) patch(c echo.Context) error {
	if err := requireJSON(c, "application/merge-patch+json", echo.MIMEApplicationJSON); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, version, err := h.current(c)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, problem.MaxBody+1))
	if err != nil {
		return problem.New(http.StatusBadRequest, "the request body could not be read")
	}
	if len(body) > problem.MaxBody {
		return problem.New(http.StatusRequestEntityTooLarge, "the request body is too large")
	}
	ct, err := h.repo.Patch(ctx, cur.ID, version, body, func(s *Spec) error { return validateSpec(c, s) })
	if err != nil {
		return toProblem(err)
	}
	if err := h.record(c, ct.ID, "patch", cur, ct); err != nil {
		return err
	}
	return h.writeContract(c, http.StatusOK, ct)
}

// delete ends a contract. Billing and history keep every contract that may have had
// tickets: one that has started or has open tickets is soft-deleted (ended today); only
// one that never started and has no open tickets is removed.
func (h *Handler) delete(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := h.repo.Get(ctx, c.Param("id"))
	if err != nil {
		return toProblem(err)
	}
	version, err := expectedVersion(c, cur)
	if err != nil {
		return err
	}
	if cur.Deleted {
		return toProblem(ErrDeleted)
	}
	open, err := h.openTickets(ctx, cur.ID)
	if err != nil {
		return err
	}
	action, after := "delete", (*Contract)(nil)
	if open > 0 || cur.StartsOn <= DateOf(h.clock()) {
		after, err = h.repo.SoftDelete(ctx, cur.ID, version)
	} else {
		action, err = "remove", h.repo.Remove(ctx, cur.ID, version)
	}
	if err != nil {
		return toProblem(err)
	}
	if err := h.record(c, cur.ID, action, cur, after); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) effective(c echo.Context) error {
	ct, err := h.repo.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return toProblem(err)
	}
	t, err := ct.Terms()
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", ct.ETag())
	return c.JSON(http.StatusOK, EffectiveOf(ct, t))
}

func (h *Handler) match(c echo.Context) error {
	q := MatchQuery{
		OrganizationID:   c.QueryParam("organization"),
		OrganizationName: c.QueryParam("organization"),
		Email:            c.QueryParam("email"),
		At:               h.clock(),
	}
	var bad []problem.FieldError
	if s := c.QueryParam("at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			bad = append(bad, problem.FieldError{Field: "at", Reason: "must be an RFC 3339 time like 2026-11-27T15:00:00Z"})
		}
		q.At = t
	}
	if strings.TrimSpace(q.OrganizationID) == "" && strings.TrimSpace(q.Email) == "" {
		bad = append(bad, problem.FieldError{Field: "organization", Reason: "organization or email is required"},
			problem.FieldError{Field: "email", Reason: "organization or email is required"})
	} else if q.Email != "" && EmailDomain(q.Email) == "" {
		bad = append(bad, problem.FieldError{Field: "email", Reason: "must be an e-mail address"})
	}
	if len(bad) > 0 {
		return problem.Fields(http.StatusBadRequest, "the query has invalid parameters", bad...)
	}
	ct, err := h.repo.Match(c.Request().Context(), q)
	if errors.Is(err, ErrNoContract) {
		return problem.New(http.StatusNotFound, "no active contract matches this organisation or e-mail")
	}
	if err != nil {
		return err
	}
	return h.writeContract(c, http.StatusOK, ct)
}

// current reads the contract a write names and the version its If-Match expects.
func (h *Handler) current(c echo.Context) (*Contract, int, error) {
	cur, err := h.repo.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return nil, 0, toProblem(err)
	}
	version, err := expectedVersion(c, cur)
	if err != nil {
		return nil, 0, err
	}
	return cur, version, nil
}
