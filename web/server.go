package web

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/ticketstore"
)

//go:embed templates static
var assets embed.FS

// Config is what the pages need. Redis, Contracts and Admit are required.
type Config struct {
	Redis     redis.UniversalClient
	Contracts *contracts.Repo
	// Admit reports whether token is one of the admin tokens (constant time) and the
	// name it acts as (adminauth.Admits).
	Admit func(token string) (name string, ok bool)
	// Clock is the present; nil is the system clock.
	Clock func() time.Time
	// Tickets is the ticket store the board reads; nil shows an empty board.
	Tickets *ticketstore.Store
	// TicketURL links a ticket key to the ticket in its helpdesk ("" for no link).
	TicketURL func(key string) string
	// Reports gives the report page its figures; nil: no report page.
	Reports Reports
	// SessionTTL is how long a login lasts (DefaultSessionTTL when 0).
	SessionTTL time.Duration
	Log        *slog.Logger
}

// Server is the web pages of one process.
type Server struct {
	cfg      Config
	sessions *Sessions
	pages    *pages
}

// New returns the pages for cfg; it fails when a required part is missing or a template
// does not parse.
func New(cfg Config) (*Server, error) {
	if cfg.Redis == nil || cfg.Contracts == nil || cfg.Admit == nil {
		return nil, errors.New("web: Redis, Contracts and Admit are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, sessions: NewSessions(cfg.Redis, cfg.Clock, cfg.SessionTTL), pages: p}, nil
}

// Sessions returns the session store (the queue dashboard accepts its sessions too).
func (s *Server) Sessions() *Sessions { return s.sessions }

// Register mounts the pages on e, at the root: /login, /logout, /board, /contracts,
// /report and /static.
func (s *Server) Register(e *echo.Echo) {
	static, _ := fs.Sub(assets, "static")
	files := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	e.GET("/static/*", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	})

	// Routes one by one, not a group at the root: echo would route every unknown path
	// through a root group's middleware (a login redirect instead of a 404).
	open := []echo.MiddlewareFunc{securityHeaders}
	e.GET("/login", s.page(s.loginForm), open...)
	e.POST("/login", s.page(s.login), open...)

	in := []echo.MiddlewareFunc{securityHeaders, s.requireSession}
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/board") }, in...)
	e.POST("/logout", s.page(s.logout), in...)
	e.GET("/board", s.page(s.board), in...)
	e.GET("/board/rows", s.page(s.boardRows), in...)
	e.GET("/contracts", s.page(s.contractList), in...)
	e.GET("/contracts/new", s.page(s.contractNew), in...)
	e.POST("/contracts", s.page(s.contractCreate), in...)
	e.GET("/contracts/:id", s.page(s.contractEdit), in...)
	e.POST("/contracts/:id", s.page(s.contractSave), in...)
	e.GET("/report", s.page(s.reportPage), in...)
	e.GET("/report.csv", s.page(s.reportCSV), in...)
}

// securityHeaders keeps the pages to their own scripts and styles, out of frames and
// unsniffed.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}
