package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/reconcile"
)

// buildReconcilers makes the catch-up of every helpdesk with API access whose adapter
// can list its changes (helpdesk.Catchup): each with an adapter of its own whose HTTP
// client is capped at SLAGUARD_RECONCILE_RATE, so a long catch-up never starves the
// write-backs, and each with its own watermark in Redis. A dry run has none.
func (a *app) buildReconcilers() ([]*reconcile.Reconciler, error) {
	limited := reconcile.LimitedClient(a.httpClient, a.cfg.ReconcileRate)
	var desks []helpdesk.Catchup
	if a.cfg.ZammadURL != "" {
		z, err := zammad.New(zammad.Config{
			BaseURL: a.cfg.ZammadURL, Token: a.cfg.ZammadToken,
			PausedStates: a.cfg.PausedStates, ClosedStates: a.cfg.ClosedStates, CriticalPriorityName: a.cfg.ZammadCritical,
			HTTPClient: limited, Clock: a.clock,
		})
		if err != nil {
			return nil, err
		}
		desks = append(desks, z)
	}
	for _, row := range helpdeskRows {
		if !row.configured(a.cfg) || !row.hasAPI(a.cfg) {
			continue
		}
		ad, err := row.build(a, limited)
		if err != nil {
			return nil, err
		}
		if c, ok := ad.(helpdesk.Catchup); ok {
			desks = append(desks, c)
		}
	}
	if len(desks) > 0 && a.parts.reconcileMetrics == nil {
		a.parts.reconcileMetrics = reconcile.NewMetrics(a.parts.reg)
	}
	out := make([]*reconcile.Reconciler, 0, len(desks))
	for _, d := range desks {
		r, err := reconcile.New(reconcile.Config{
			Helpdesk: d, Redis: a.rdb, Queue: a.queue, Store: a.parts.worker.Store(), SelfID: a.parts.selfIDs[d.Name()],
			Clock: a.clock, Log: a.log, Metrics: a.parts.reconcileMetrics,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// mountReconcile registers the periodic catch-up of every helpdesk on the worker's mux
// and returns the schedules to start once the worker runs (none when the catch-up is off).
func (a *app) mountReconcile(mux *asynq.ServeMux) ([]*reconcile.Schedule, error) {
	if a.cfg.ReconcileInterval == 0 {
		return nil, nil
	}
	rs, err := a.buildReconcilers()
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	var out []*reconcile.Schedule
	for _, r := range rs {
		out = append(out, &reconcile.Schedule{Reconciler: r, Queue: a.queue, Interval: a.cfg.ReconcileInterval, Clock: a.clock, Log: a.log})
	}
	mux.HandleFunc(reconcile.TypePass, reconcile.Handler(out...))
	return out, nil
}

// runReconcile is `slaguard reconcile --since <RFC 3339>`: one catch-up pass of every
// configured helpdesk now (one after the other), without the web server, with its progress on out. The recovered events wait in Redis for the
// workers; the watermark moves on only if the pass reaches past it.
func (a *app) runReconcile(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(out)
	since := fs.String("since", "", "read the tickets changed at or after this instant (RFC 3339, e.g. 2026-11-01T00:00:00Z); empty: the stored watermark less the overlap")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if a.embedded != nil {
		return errors.New("reconcile needs REDIS_URL: the embedded Redis of a trial run holds no tickets")
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			return fmt.Errorf("--since %q: want an RFC 3339 instant like 2026-11-01T00:00:00Z", *since)
		}
		from = t
	}
	if err := a.buildParts(ctx); err != nil {
		return err
	}
	if err := a.discoverSelf(ctx); err != nil {
		return err
	}
	rs, err := a.buildReconcilers()
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return errors.New("reconcile needs a helpdesk API: ZAMMAD_URL and ZAMMAD_TOKEN, ZENDESK_URL/EMAIL/TOKEN or FRESHDESK_URL/API_KEY")
	}
	var errs []error
	for _, r := range rs {
		name := r.Helpdesk()
		r = r.WithProgress(func(p reconcile.Progress) {
			fmt.Fprintf(out, "%s page %d: %d tickets examined, %d behind, %d events recovered, up to %s\n",
				name, p.Pages, p.Examined, p.Behind, p.Recovered, p.Watermark.Since.Format(time.RFC3339))
		})
		start := time.Now()
		res, err := r.Pass(ctx, from)
		if err != nil {
			fmt.Fprintf(out, "%s: failed: %v\n", name, err)
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		fmt.Fprintf(out, "%s done in %s: %d tickets examined, %d behind, %d events recovered on %d tickets; watermark %s\n",
			name, time.Since(start).Round(time.Millisecond), res.Examined, res.Behind, res.Recovered, res.Tickets,
			res.Watermark.Since.Format(time.RFC3339))
	}
	return errors.Join(errs...)
}
