package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/clock"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/redisurl"
)

// app is one slaguard process: its Redis, its queue client and, depending on the role,
// its web server and its worker.
type app struct {
	cfg      *Config
	log      *slog.Logger
	clock    func() time.Time
	embedded *embeddedRedis
	redisOpt asynq.RedisConnOpt
	target   *redisurl.Target // nil for the embedded Redis
	rdb      redis.UniversalClient
	queue    *asynq.Client
	// ingest is the webhook's queue client: queue itself, or with SLAGUARD_INGEST_REPLICAS
	// a client of its own whose enqueues wait for replicas.
	ingest *asynq.Client
	echo   *echo.Echo
	// metricsEcho serves /metrics alone on SLAGUARD_METRICS_ADDR; nil when it is unset.
	metricsEcho *echo.Echo
	parts       *parts
	// httpClient makes the helpdesk's REST calls.
	httpClient *http.Client
	// notifyClient and smtpTLS are appOptions' (notify.go).
	notifyClient *http.Client
	smtpTLS      *tls.Config
	closers      []func()
}

// appOptions are what tests and the demo change about an app; zero values mean production.
type appOptions struct {
	clock      func() time.Time
	httpClient *http.Client
	// notifyClient posts the push notifications (nil: notify's default); smtpTLS is the
	// TLS of the SMTP server (nil: verified against the system's roots).
	notifyClient *http.Client
	smtpTLS      *tls.Config
}

func newApp(cfg *Config, log *slog.Logger, opt appOptions) (*app, error) {
	a := &app{cfg: cfg, log: log, clock: opt.clock, httpClient: opt.httpClient, notifyClient: opt.notifyClient, smtpTLS: opt.smtpTLS}
	if a.httpClient == nil {
		a.httpClient = defaultHTTPClient
	}
	if a.clock == nil {
		a.clock = clock.System
	}
	if err := a.connectRedis(); err != nil {
		a.Close()
		return nil, err
	}
	a.queue = asynq.NewClientFromRedisClient(a.rdb)
	a.ingest = a.queue
	if cfg.IngestReplicas > 0 && a.target != nil {
		c := a.target.Client()
		c.AddHook(replicaWait{rdb: c, replicas: cfg.IngestReplicas, timeout: ingestWaitTimeout})
		a.ingest = asynq.NewClientFromRedisClient(c)
		a.closers = append(a.closers, func() { c.Close() })
	}
	a.echo = a.newEcho()
	return a, nil
}

func (a *app) connectRedis() error {
	if a.cfg.RedisURL == "" {
		e, err := startEmbeddedRedis(a.log)
		if err != nil {
			return err
		}
		a.embedded = e
		a.closers = append(a.closers, e.Close)
		if len(a.cfg.AdminTokens) == 0 {
			// A trial run gets a token of its own, so the admin API can be tried at once.
			// Only here: a production process never invents or logs a secret.
			token := "trial-" + rand.Text()
			a.cfg.AdminTokens = []string{"trial:" + token}
			a.log.Warn("no SLAGUARD_ADMIN_TOKENS set: generated an admin token for this trial run",
				slog.String("token", token))
		}
		if a.cfg.ZammadWebhookSecret == "" && !a.cfg.InsecureWebhooks {
			// Likewise a webhook secret, so a first run can receive signed webhooks at once.
			a.cfg.ZammadWebhookSecret = "trial-" + rand.Text()
			a.log.Warn("no ZAMMAD_WEBHOOK_SECRET set: generated a webhook secret for this trial run "+
				"(Zammad: the webhook's HMAC SHA1 Signature Token)", slog.String("webhook_secret", a.cfg.ZammadWebhookSecret))
		}
		a.rdb = redis.NewClient(&redis.Options{Addr: e.Addr()})
		a.redisOpt = asynq.RedisClientOpt{Addr: e.Addr()}
	} else {
		target, err := redisurl.Parse(a.cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		a.target = target
		a.rdb = target.Client()
		a.redisOpt = target.AsynqOpt()
		a.log.Info("redis", slog.String("kind", target.Kind.String()), slog.Any("addrs", target.Addrs))
	}
	rdb := a.rdb
	a.closers = append(a.closers, func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		// Not fatal: /readyz says so, webhooks answer 503 until Redis is back.
		a.log.Error("redis is not reachable at start", slog.String("error", err.Error()))
	}
	return nil
}

func (a *app) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Validator = problem.NewValidator()
	handle := problem.ErrorHandler(func(err error, c echo.Context) {
		a.log.Error("request failed", slog.String("method", c.Request().Method),
			slog.String("path", c.Path()), slog.String("error", err.Error()))
	})
	methods := &methodRules{e: e}
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusNotFound {
			if allow := methods.allowed(c.Request().URL.Path); len(allow) > 0 {
				c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
				err = problem.New(http.StatusMethodNotAllowed, c.Request().Method+" is not allowed here; allowed: "+strings.Join(allow, ", "))
			}
		}
		handle(err, c)
	}
	e.Use(a.accessLog)
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", a.readyz)
	return e
}

// accessLog writes one JSON line per request: method, route, status, duration, and the
// delivery id of a webhook. Never bodies, never the Authorization header.
func (a *app) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		level := slog.LevelDebug
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead && adminauth.Name(c.Request().Context()) != "" {
			level = slog.LevelInfo // an admin's change: who did what is worth a line
		}
		if status >= 500 {
			level = slog.LevelWarn
		}
		if !a.log.Enabled(c.Request().Context(), level) {
			return nil // the hot path pays nothing for a line nobody reads
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method), slog.String("route", c.Path()),
			slog.Int("status", status), slog.Duration("took", time.Since(start)),
		}
		if who := adminauth.Name(c.Request().Context()); who != "" {
			attrs = append(attrs, slog.String("admin", who))
		}
		if id := c.Request().Header.Get("X-Zammad-Delivery"); id != "" {
			attrs = append(attrs, slog.String("delivery_id", id))
		}
		a.log.LogAttrs(c.Request().Context(), level, "http", attrs...)
		return nil
	}
}

func (a *app) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		p := problem.New(http.StatusServiceUnavailable, "redis is not reachable")
		p.RetryAfter = 5
		return p
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// serveHTTP runs the web server until ctx ends, then stops accepting and lets in-flight
// requests finish within the shutdown timeout.
func (a *app) serveHTTP(ctx context.Context) error {
	return a.serve(ctx, "http", a.cfg.Addr, a.echo)
}

// serveMetrics runs the metrics-only server of SLAGUARD_METRICS_ADDR.
func (a *app) serveMetrics(ctx context.Context) error {
	return a.serve(ctx, "metrics", a.cfg.MetricsAddr, a.metricsEcho)
}

func (a *app) serve(ctx context.Context, name, addr string, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	// Bind before saying "listening": a taken port is an error at once, not after SIGTERM.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("listening", slog.String("server", name), slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s: shutdown: %w", name, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", name, err)
	}
	a.log.Info(name + " server stopped")
	return nil
}

// Close releases everything the app opened, in reverse order.
func (a *app) Close() {
	if a.ingest != nil && a.ingest != a.queue {
		a.ingest.Close()
	}
	if a.queue != nil {
		a.queue.Close()
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}
