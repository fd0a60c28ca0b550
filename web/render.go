package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// layoutData is what every page's frame shows.
type layoutData struct {
	Title string
	// Nav is the section the page belongs to ("board", "contracts", "report").
	Nav string
	// CSRF is the token the page's forms send back.
	CSRF string
	// LoggedIn shows the navigation and the logout button.
	LoggedIn bool
}

// pages are the parsed templates, one set per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"vienna":   func(t time.Time) string { return t.In(vienna).Format("2006-01-02 15:04") },
	"join":     strings.Join,
	"lower":    strings.ToLower,
	"duration": formatDuration,
	"hm":       hoursMinutes,
	"viennaAt": viennaAt,
	"percent":  percent,
	"euros":    euros,
	"abs": func(d time.Duration) time.Duration {
		if d < 0 {
			return -d
		}
		return d
	},
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "part_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/part_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", base, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// render executes a page into a buffer first, so a template error never sends half a page.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	return s.renderTemplate(c, status, page, "layout", data)
}

// renderPart executes one named template of a page (a fragment the page's script fetches).
func (s *Server) renderPart(c echo.Context, status int, page, name string, data any) error {
	return s.renderTemplate(c, status, page, name, data)
}

func (s *Server) renderTemplate(c echo.Context, status int, page, name string, data any) error {
	t, ok := s.pages.byName[page]
	if !ok {
		return fmt.Errorf("web: no page %s", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

type errorData struct {
	layoutData
	Status  int
	Message string
}

// renderError shows a page that says what went wrong, in words for a person.
func (s *Server) renderError(c echo.Context, status int, msg string) error {
	sess := current(c)
	return s.render(c, status, "error.html", errorData{
		layoutData: layoutData{Title: http.StatusText(status), CSRF: sess.CSRF, LoggedIn: sess.CSRF != ""},
		Status:     status, Message: msg,
	})
}

// page turns a handler's unexpected error into an error page (logged once, here), not the
// API's problem+json.
func (s *Server) page(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := h(c)
		if err == nil || c.Response().Committed {
			return err
		}
		s.cfg.Log.Error("page failed", slog.String("path", c.Path()), slog.String("error", err.Error()))
		return s.renderError(c, http.StatusInternalServerError, "Something went wrong on our side; it has been logged. Please try again.")
	}
}

// frame is the layout of a logged-in page.
func frame(c echo.Context, title, nav string) layoutData {
	return layoutData{Title: title, Nav: nav, CSRF: current(c).CSRF, LoggedIn: true}
}

// formatDuration writes business time as hours and minutes: "12 h 05 min", "-3 h 20 min".
func formatDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "−", -d
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%s%d min", sign, m)
	}
	return fmt.Sprintf("%s%d h %02d min", sign, h, m)
}

var vienna = func() *time.Location {
	l, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		panic("web: no Europe/Vienna time zone data: " + err.Error())
	}
	return l
}()
