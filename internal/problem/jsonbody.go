package problem

import (
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// JSONBodies is the one Content-Type rule of the admin API: a request that carries a body
// must declare it as JSON (application/json, or a +json type such as
// application/merge-patch+json), else 415 naming what to send. A body without any
// Content-Type is read as JSON. Requests without a body pass.
func JSONBodies() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			ct := r.Header.Get(echo.HeaderContentType)
			if ct == "" {
				return next(c)
			}
			mt, _, err := mime.ParseMediaType(ct)
			if err == nil && (mt == echo.MIMEApplicationJSON || strings.HasSuffix(mt, "+json")) {
				return next(c)
			}
			return New(http.StatusUnsupportedMediaType,
				"the body must be JSON: send Content-Type: application/json (got "+ct+")")
		}
	}
}
