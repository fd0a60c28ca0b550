package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/monobunt/slaguard/internal/adminauth"
	"github.com/monobunt/slaguard/internal/problem"
)

// newRegistry is the process's Prometheus registry with Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// httpMetrics counts requests and their duration by route (the route pattern, never the
// raw path: ids would explode the label set) and status.
func httpMetrics(reg prometheus.Registerer) echo.MiddlewareFunc {
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "slaguard_http_requests_total", Help: "HTTP requests by method, route and status.",
	}, []string{"method", "route", "status"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "slaguard_http_request_seconds", Help: "HTTP request duration by method and route.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
	}, []string{"method", "route"})
	reg.MustRegister(reqs, dur)
	// The children of one method, route and status are looked up once: a webhook burst
	// is thousands of requests a second on one route.
	type key struct {
		method, route string
		status        int
	}
	type child struct {
		reqs prometheus.Counter
		dur  prometheus.Observer
	}
	var children sync.Map // key → child
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			k := key{method: c.Request().Method, route: c.Path(), status: c.Response().Status}
			if k.route == "" {
				k.route = "unmatched"
			}
			switch k.method {
			case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
				http.MethodDelete, http.MethodOptions:
			default:
				k.method = "OTHER" // a client's made-up method must not grow the label set
			}
			ch, ok := children.Load(k)
			if !ok {
				ch, _ = children.LoadOrStore(k, child{
					reqs: reqs.WithLabelValues(k.method, k.route, strconv.Itoa(k.status)),
					dur:  dur.WithLabelValues(k.method, k.route),
				})
			}
			ch.(child).reqs.Inc()
			ch.(child).dur.Observe(time.Since(start).Seconds())
			return nil
		}
	}
}

// redisUp is a gauge read at scrape time: 1 when Redis answers a PING within a second.
func redisUp(ping func(ctx context.Context) error) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "slaguard_redis_up", Help: "1 when Redis answered a PING at scrape time, else 0.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if ping(ctx) != nil {
			return 0
		}
		return 1
	})
}

// mountMetrics puts GET /metrics on the main server, or with SLAGUARD_METRICS_ADDR on a
// server of its own; with SLAGUARD_METRICS_TOKEN either answers only that bearer token.
func (a *app) mountMetrics() {
	h := metricsHandler(a.parts.reg)
	var guard []echo.MiddlewareFunc
	if a.cfg.MetricsToken != "" {
		guard = append(guard, adminauth.Middleware([]string{a.cfg.MetricsToken}))
	}
	if a.cfg.MetricsAddr == "" {
		a.echo.GET("/metrics", h, guard...)
		return
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = problem.ErrorHandler(nil)
	e.GET("/metrics", h, guard...)
	a.metricsEcho = e
}

// metricsHandler serves the registry in Prometheus text format.
func metricsHandler(reg *prometheus.Registry) echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
}

// queueCollector reports asynq's queue sizes at scrape time.
type queueCollector struct {
	insp *asynq.Inspector
	desc *prometheus.Desc
}

func newQueueCollector(insp *asynq.Inspector) *queueCollector {
	return &queueCollector{insp: insp, desc: prometheus.NewDesc("slaguard_queue_tasks",
		"Tasks in each asynq queue by state.", []string{"queue", "state"}, nil)}
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	queues, err := q.insp.Queues()
	if err != nil {
		return
	}
	for _, name := range queues {
		info, err := q.insp.GetQueueInfo(name)
		if err != nil {
			continue
		}
		for state, n := range map[string]int{
			"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed,
		} {
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n), name, state)
		}
	}
}
