package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk/zammad"
	"github.com/monobunt/slaguard/reconcile"
)

// buildReconciler makes the Zammad catch-up: an adapter of its own whose HTTP client is
// capped at SLAGUARD_RECONCILE_RATE, so a long catch-up never starves the write-backs.
// It returns nil when there is no Zammad to read (a dry run).
func (a *app) buildReconciler() (*reconcile.Reconciler, error) {
	if a.cfg.ZammadURL == "" {
		return nil, nil
	}
	z, err := zammad.New(zammad.Config{
		BaseURL: a.cfg.ZammadURL, Token: a.cfg.ZammadToken,
		PausedStates: a.cfg.PausedStates, ClosedStates: a.cfg.ClosedStates, CriticalPriorityName: a.cfg.ZammadCritical,
		HTTPClient: reconcile.LimitedClient(a.httpClient, a.cfg.ReconcileRate), Clock: a.clock,
	})
	if err != nil {
		return nil, err
	}
	if a.parts.reconcileMetrics == nil {
		a.parts.reconcileMetrics = reconcile.NewMetrics(a.parts.reg)
	}
	return reconcile.New(reconcile.Config{
		Helpdesk: z, Redis: a.rdb, Queue: a.queue, Store: a.parts.worker.Store(), SelfID: a.parts.selfID,
		Clock: a.clock, Log: a.log, Metrics: a.parts.reconcileMetrics,
	})
}

// mountReconcile registers the periodic catch-up on the worker's mux and returns the
// schedule to start once the worker runs (nil when the catch-up is off).
func (a *app) mountReconcile(mux *asynq.ServeMux) (*reconcile.Schedule, error) {
	if a.cfg.ReconcileInterval == 0 {
		return nil, nil
	}
	r, err := a.buildReconciler()
	if err != nil || r == nil {
		return nil, err
	}
	s := &reconcile.Schedule{Reconciler: r, Queue: a.queue, Interval: a.cfg.ReconcileInterval, Clock: a.clock, Log: a.log}
	mux.HandleFunc(reconcile.TypePass, s.Handle)
	return s, nil
}

// runReconcile is `slaguard reconcile --since <RFC 3339>`: one catch-up pass now, without
// the web server, with its progress on out. The recovered events wait in Redis for the
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
	r, err := a.buildReconcilerWithProgress(out)
	if err != nil {
		return err
	}
	if r == nil {
		return errors.New("reconcile needs ZAMMAD_URL and ZAMMAD_TOKEN")
	}
	start := time.Now()
	res, err := r.Pass(ctx, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "done in %s: %d tickets examined, %d behind, %d events recovered on %d tickets; watermark %s\n",
		time.Since(start).Round(time.Millisecond), res.Examined, res.Behind, res.Recovered, res.Tickets,
		res.Watermark.Since.Format(time.RFC3339))
	return nil
}

func (a *app) buildReconcilerWithProgress(out io.Writer) (*reconcile.Reconciler, error) {
	r, err := a.buildReconciler()
	if err != nil || r == nil {
		return r, err
	}
	return r.WithProgress(func(p reconcile.Progress) {
		fmt.Fprintf(out, "page %d: %d tickets examined, %d behind, %d events recovered, up to %s\n",
			p.Pages, p.Examined, p.Behind, p.Recovered, p.Watermark.Since.Format(time.RFC3339))
	}), nil
}
