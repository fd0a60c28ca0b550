package contracts

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

func (h *Handler) listPlans(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"items": sla.Plans()})
}

func (h *Handler) getPlan(c echo.Context) error {
	p, ok := sla.LookupPlan(c.Param("id"))
	if !ok {
		return problem.New(http.StatusNotFound, "no plan has this id")
	}
	return c.JSON(http.StatusOK, p)
}
