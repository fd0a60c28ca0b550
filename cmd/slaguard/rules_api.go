package main

import (
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/problem"
)

type explainRequest struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// postRulesExplain answers what the loaded correction rules make of a subject and a
// first message, with the score per class and the deciding words, so an admin can tune
// the rules file. It reads nothing but the request.
func postRulesExplain(rules func() *classify.Rules) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req explainRequest
		if err := problem.Decode(c.Request().Body, &req); err != nil {
			return err
		}
		var bad []problem.FieldError
		for _, f := range []struct{ name, v string }{{"title", req.Title}, {"body", req.Body}} {
			switch {
			case len(f.v) > maxExplainText:
				bad = append(bad, problem.FieldError{Field: f.name, Reason: "must be at most 65536 bytes"})
			case !utf8.ValidString(f.v):
				bad = append(bad, problem.FieldError{Field: f.name, Reason: "must be UTF-8 text"})
			}
		}
		if req.Title == "" && req.Body == "" {
			bad = append(bad, problem.FieldError{Field: "title", Reason: "give a title or a body (or both)"})
		}
		if len(bad) > 0 {
			return problem.Fields(http.StatusBadRequest, "the request has invalid fields", bad...)
		}
		return c.JSON(http.StatusOK, explain(rules(), req.Title, req.Body))
	}
}
