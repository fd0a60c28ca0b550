package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/sla"
)

// The deadline calculator accepts up to 87600 hours (ten years): far beyond any support
// target, and a typo cannot ask for a date in the year 3000.
type deadlineRequest struct {
	Start    string      `json:"start" validate:"required"`
	Hours    *float64    `json:"hours" validate:"required,gte=0,lte=87600"` // maxDeadlineHours
	Pauses   [][2]string `json:"pauses" validate:"omitempty,max=1000"`
	Calendar string      `json:"calendar" validate:"omitempty,oneof=default 24x7"`
}

type deadlineResponse struct {
	Due      time.Time `json:"due"`
	Calendar string    `json:"calendar"`
}

// postDeadline answers the business-hours clock from outside: the instant at which the
// given hours of open time have elapsed since start, not counting pauses.
func postDeadline(c echo.Context) error {
	var req deadlineRequest
	if err := problem.Decode(c.Request().Body, &req); err != nil {
		return err
	}
	// Every bad field at once, validator's and the parsers', as one 400.
	var bad []problem.FieldError
	var p *problem.Problem
	if err := c.Validate(&req); errors.As(err, &p) {
		bad = append(bad, p.Errors...)
	} else if err != nil {
		return err
	}
	start, err := time.Parse(time.RFC3339, req.Start)
	if err != nil && req.Start != "" {
		bad = append(bad, problem.FieldError{Field: "start", Reason: "must be an RFC 3339 time like 2026-11-27T15:00:00Z"})
	}
	pauses := make([]sla.Interval, 0, len(req.Pauses))
	for i, p := range req.Pauses {
		from, err1 := time.Parse(time.RFC3339, p[0])
		to, err2 := time.Parse(time.RFC3339, p[1])
		switch {
		case err1 != nil:
			bad = append(bad, problem.FieldError{Field: fmt.Sprintf("pauses[%d][0]", i), Reason: "must be an RFC 3339 time"})
		case err2 != nil:
			bad = append(bad, problem.FieldError{Field: fmt.Sprintf("pauses[%d][1]", i), Reason: "must be an RFC 3339 time"})
		case to.Before(from):
			bad = append(bad, problem.FieldError{Field: fmt.Sprintf("pauses[%d]", i), Reason: "ends before it starts"})
		default:
			pauses = append(pauses, sla.Interval{From: from.UTC(), To: to.UTC()})
		}
	}
	if len(bad) > 0 {
		return problem.Fields(http.StatusBadRequest, "the request has invalid fields", bad...)
	}
	cal, name := sla.DefaultCalendar(), "default"
	if req.Calendar == "24x7" {
		cal, name = sla.AlwaysOpen(), "24x7"
	}
	d := time.Duration(*req.Hours * float64(time.Hour)).Round(time.Second)
	due := cal.Add(start.UTC(), d, pauses)
	return c.JSON(http.StatusOK, deadlineResponse{Due: due.UTC(), Calendar: name})
}
