package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/monobunt/slaguard/billing"
	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/jobs"
	"github.com/monobunt/slaguard/reconcile"
	"github.com/monobunt/slaguard/reportapi"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketapi"
	"github.com/monobunt/slaguard/web"
	"github.com/monobunt/slaguard/webhook"
)

// parts are the domain components of a process, built once from the configuration.
type parts struct {
	reg       *prometheus.Registry
	contracts *contracts.Repo
	zammad    *zammad.Adapter
	adapter   helpdesk.Adapter // zammad, or its dry run
	// adapters are every helpdesk served (zammad first), dry runs included; apis are the
	// unwrapped adapters of helpdesks with API access, by name.
	adapters []helpdesk.Adapter
	apis     map[string]helpdesk.Adapter
	worker   *jobs.Worker
	metrics  *jobs.Metrics
	ledger   *billing.Ledger
	// selfIDs are the users slaguard writes as, by helpdesk (discoverSelf).
	selfIDs          map[string]string
	reconcileMetrics *reconcile.Metrics
}

func (a *app) buildParts(ctx context.Context) error {
	p := &parts{reg: newRegistry()}
	p.contracts = contracts.NewRepo(a.rdb, a.clock)

	zc := zammad.Config{
		BaseURL: a.cfg.ZammadURL, Token: a.cfg.ZammadToken, WebhookSecret: a.cfg.ZammadWebhookSecret,
		PausedStates: a.cfg.PausedStates, ClosedStates: a.cfg.ClosedStates,
		CriticalPriorityName: a.cfg.ZammadCritical, HTTPClient: a.httpClient, Clock: a.clock,
	}
	dry := a.cfg.ZammadURL == ""
	if dry {
		// The real adapter against a client that sends nothing and logs every request.
		zc.BaseURL, zc.Token, zc.HTTPClient = zammad.DryRunBaseURL, "dry-run", zammad.DryRunClient(a.log)
	}
	z, err := zammad.New(zc)
	if err != nil {
		return err
	}
	p.zammad, p.adapter = z, z
	var otherAPIs []string
	for _, r := range helpdeskRows {
		if r.hasAPI(a.cfg) {
			otherAPIs = append(otherAPIs, r.name)
		}
	}
	switch {
	case dry && len(otherAPIs) > 0:
		p.adapter = helpdesk.DryRunVia(z)
		a.log.Info("no ZAMMAD_URL set: Zammad is not served beyond a dry run", slog.Any("helpdesks", otherAPIs))
	case dry:
		p.adapter = helpdesk.DryRunVia(z)
		if a.embedded == nil {
			a.log.Error("no helpdesk configured: set ZAMMAD_URL, ZAMMAD_TOKEN and ZAMMAD_WEBHOOK_SECRET, or ZENDESK_URL, " +
				"ZENDESK_EMAIL, ZENDESK_TOKEN and ZENDESK_WEBHOOK_SECRET, or FRESHDESK_URL, FRESHDESK_API_KEY and " +
				"FRESHDESK_WEBHOOK_SECRET (README \"Setting up …\"); until then every write-back is only logged")
		}
		a.log.Warn("no ZAMMAD_URL set: dry run — every request slaguard would send to Zammad is logged " +
			"(\"dry run: request not sent\": method, path, body), nothing is sent; time booked on webhook articles " +
			"(accounted_time) stands in for Zammad's time accounting")
	}
	others, raw, err := a.otherHelpdesks()
	if err != nil {
		return err
	}
	p.adapters, p.apis = append([]helpdesk.Adapter{p.adapter}, others...), raw
	if a.cfg.ZammadURL != "" {
		p.apis["zammad"] = z
	}
	byName := map[string]helpdesk.Adapter{}
	for _, ad := range p.adapters {
		byName[ad.Name()] = ad
	}

	classifier, err := rulesfile.Load(a.cfg.RulesFile)
	if err != nil {
		return err
	}
	var rules *sla.Rules // the default confirmation
	if a.cfg.ConfirmationFile != "" {
		text, err := os.ReadFile(a.cfg.ConfirmationFile)
		if err != nil {
			return fmt.Errorf("SLAGUARD_CONFIRMATION_TEMPLATE: %w", err)
		}
		tmpl, err := sla.ParseConfirmationTemplate(string(text))
		if err != nil {
			return fmt.Errorf("SLAGUARD_CONFIRMATION_TEMPLATE: %w", err)
		}
		rules = rules.WithConfirmation(tmpl)
	}

	p.ledger = billing.NewLedger(a.rdb, a.cfg.ImplementationTypes)
	p.metrics = jobs.NewMetrics(p.reg)
	p.reg.MustRegister(newQueueCollector(asynq.NewInspectorFromRedisClient(a.rdb)))
	p.reg.MustRegister(redisUp(func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }))
	w, err := jobs.New(jobs.Config{
		Redis: a.rdb, Queue: a.queue,
		Adapters:  byName,
		SelfIDs:   map[string]string{},
		Contracts: p.contracts, Ledger: p.ledger, Rules: rules, Classifier: classifier, Clock: a.clock, Log: a.log,
		Metrics: p.metrics, WriteMaxRetry: a.cfg.WriteMaxRetry, WriteConcurrency: a.cfg.WriteConcurrency,
		Notify: a.notifyConfig(),
	})
	if err != nil {
		return err
	}
	p.worker = w
	// A contract change re-evaluates the open tickets it touches (the web process
	// announces, a worker acts).
	p.contracts.SetLogger(a.log)
	p.contracts.OnChange(w.EnqueueReevaluation)
	a.parts = p
	// The file's rules become the published ones (a file edited while slaguard was down
	// re-evaluates the open tickets once; the same file again changes nothing).
	if _, _, err := a.reloadRules(ctx); err != nil {
		return err
	}
	return nil
}

// mountAll puts the whole HTTP surface on the app's echo: webhooks, the admin API,
// metrics and the queue dashboard.
func (a *app) mountAll() error {
	p := a.parts
	e := a.echo
	e.Use(httpMetrics(p.reg))
	a.mountMetrics()

	var served []helpdesk.Adapter
	for _, ad := range p.adapters {
		if a.webhookSecret(ad.Name()) == "" && !a.cfg.InsecureWebhooks {
			a.log.Error("no webhook secret for "+ad.Name()+": POST /webhooks/"+ad.Name()+" is NOT mounted "+
				"(set the secret, or SLAGUARD_INSECURE_WEBHOOKS=1 for local trials)", slog.String("helpdesk", ad.Name()))
			continue
		}
		served = append(served, ad)
	}
	if len(served) > 0 {
		wh, err := webhook.New(webhook.Config{
			Adapters: served, Queue: a.ingest, BodyLimit: a.cfg.WebhookBodyLimit,
			Insecure: a.cfg.InsecureWebhooks, Registerer: p.reg, Logger: a.log, Clock: a.clock,
		})
		if err != nil {
			return err
		}
		wh.Register(e)
		if a.cfg.InsecureWebhooks {
			a.log.Warn("SLAGUARD_INSECURE_WEBHOOKS=1: unsigned webhooks are accepted for helpdesks without a secret; never do this in production")
		}
	}

	tokens := a.cfg.AdminTokens
	if len(tokens) == 0 {
		a.log.Warn("SLAGUARD_ADMIN_TOKENS is empty: the admin API answers 401 to everyone")
	}
	auth := adminauth.Middleware(tokens)
	api := e.Group("/api/v1", auth, problem.JSONBodies())
	api.POST("/calendar/deadline", postDeadline)
	api.POST("/rules/explain", postRulesExplain(func() *classify.Rules { r, _ := p.worker.Rules(); return r }))
	api.POST("/admin/reload", a.postReload)
	contracts.NewHandler(contracts.HandlerConfig{
		Repo: p.contracts, Clock: a.clock, OpenTickets: p.worker.OpenTicketsOf, Who: adminauth.Name,
	}).Register(api)
	ticketapi.New(ticketapi.Config{Store: p.worker.Store(), Contracts: p.contracts,
		Evaluate: p.worker.View, Clock: a.clock}).Register(api)
	billing.NewHandler(billing.HandlerConfig{Ledger: p.ledger, Clock: a.clock,
		ContractExists: func(ctx context.Context, id string) (bool, error) {
			_, err := p.contracts.Get(ctx, id)
			if errors.Is(err, contracts.ErrNotFound) {
				return false, nil
			}
			return err == nil, err
		}}).Register(api)

	reports := reportapi.New(reportapi.Config{Store: p.worker.Store(), Contracts: p.contracts, Ledger: p.ledger,
		Evaluate: p.worker.View, Clock: a.clock})
	reports.Register(api)

	pages, err := web.New(web.Config{Redis: a.rdb, Contracts: p.contracts, Admit: adminauth.Admits(tokens), Reports: reports,
		Tickets: p.worker.Store(), TicketURL: web.ZammadTicketURL(a.cfg.ZammadURL), SessionTTL: a.cfg.SessionTTL, Clock: a.clock, Log: a.log})
	if err != nil {
		return err
	}
	pages.Register(e)

	// The queue dashboard takes a bearer token or the pages' login session, so a browser
	// can open it.
	mon := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: a.redisOpt})
	queues := pages.SessionOr(auth)
	e.Any("/admin/queues", echo.WrapHandler(mon), queues)
	e.Any("/admin/queues/*", echo.WrapHandler(mon), queues)
	return nil
}

// mountWorkerOnly is the HTTP surface of a worker process: health and metrics.
func (a *app) mountWorkerOnly() {
	a.echo.Use(httpMetrics(a.parts.reg))
	a.mountMetrics()
}

// runWorker runs the asynq server until ctx ends, then lets running tasks finish
// within the shutdown timeout.
func (a *app) runWorker(ctx context.Context) error {
	// Two asynq servers: events and write-backs, and the timers, whose checks mostly wait
	// out the fraction of a second asynq's whole-second schedule leaves (tasks.TimerQueues).
	taskCheck, timerCheck := a.pollIntervals()
	server := func(concurrency int, queues map[string]int) *asynq.Server {
		return asynq.NewServerFromRedisClient(a.rdb, asynq.Config{
			Concurrency:              concurrency,
			Queues:                   queues,
			RetryDelayFunc:           jobs.RetryDelay,
			IsFailure:                jobs.IsFailure,
			DelayedTaskCheckInterval: timerCheck,
			TaskCheckInterval:        taskCheck,
			ShutdownTimeout:          a.cfg.ShutdownTimeout,
			Logger:                   asynqLogger{a.log},
			LogLevel:                 asynq.WarnLevel,
		})
	}
	srv, timers := server(a.cfg.Concurrency, tasks.WorkQueues), server(a.cfg.TimerConcurrency, tasks.TimerQueues)
	mux := asynq.NewServeMux()
	a.parts.worker.Register(mux)
	go a.parts.worker.FollowRules(ctx, rulesFollowInterval)
	catchups, err := a.mountReconcile(mux)
	if err != nil {
		return err
	}
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if err := timers.Start(mux); err != nil {
		srv.Shutdown()
		return fmt.Errorf("worker: timers: %w", err)
	}
	go func() {
		if n, err := a.parts.worker.SweepContracts(ctx); err != nil {
			a.log.Error("contract sweep failed", slog.String("error", err.Error()))
		} else {
			a.log.Info("contract changes swept", slog.Int("contracts", n))
		}
	}()
	for _, catchup := range catchups {
		if err := catchup.Start(ctx); err != nil {
			a.log.Error("catch-up not scheduled", slog.String("helpdesk", catchup.Reconciler.Helpdesk()), slog.String("error", err.Error()))
		}
	}
	go func() {
		n, err := a.parts.worker.Rearm(ctx)
		if err != nil {
			a.log.Error("re-arming timers failed", slog.String("error", err.Error()))
			return
		}
		a.log.Info("timers re-armed", slog.Int("tickets", n))
	}()
	<-ctx.Done()
	timers.Shutdown()
	srv.Shutdown()
	a.log.Info("worker stopped")
	return nil
}

// asynqLogger sends asynq's own log lines through slog.
type asynqLogger struct{ l *slog.Logger }

func (l asynqLogger) Debug(args ...any) {
	l.l.Debug(fmt.Sprint(args...), slog.String("component", "asynq"))
}
func (l asynqLogger) Info(args ...any) {
	l.l.Info(fmt.Sprint(args...), slog.String("component", "asynq"))
}
func (l asynqLogger) Warn(args ...any) {
	l.l.Warn(fmt.Sprint(args...), slog.String("component", "asynq"))
}
func (l asynqLogger) Error(args ...any) {
	l.l.Error(fmt.Sprint(args...), slog.String("component", "asynq"))
}
func (l asynqLogger) Fatal(args ...any) {
	l.l.Error(fmt.Sprint(args...), slog.String("component", "asynq"))
	os.Exit(1)
}

var defaultHTTPClient = &http.Client{Timeout: 15 * time.Second}
