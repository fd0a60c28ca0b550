package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/monobunt/slaguard/billing"
)

// run runs the role until ctx ends: serve (web and worker), web, or worker.
func (a *app) run(ctx context.Context, role string) error {
	if err := a.buildParts(ctx); err != nil {
		return err
	}
	if role != "web" {
		if err := a.discoverSelf(ctx); err != nil {
			return err
		}
	}
	parts := []func(context.Context) error{a.serveHTTP, a.reloadOnSIGHUP}
	switch role {
	case "web":
		if err := a.mountAll(); err != nil {
			return err
		}
		parts = append(parts, a.followRules)
	case "worker":
		a.mountWorkerOnly()
		parts = append(parts, a.runWorker)
	default:
		if err := a.mountAll(); err != nil {
			return err
		}
		parts = append(parts, a.runWorker)
	}
	if a.metricsEcho != nil {
		parts = append(parts, a.serveMetrics)
	}
	// The first part to fail (a port already taken) stops the others at once: the process
	// exits with that error instead of serving half a service until someone signals it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(parts))
	for _, run := range parts {
		go func() { errc <- run(ctx) }()
	}
	errs := []error{<-errc}
	cancel()
	for range parts[1:] {
		errs = append(errs, <-errc)
	}
	return errors.Join(errs...)
}

// discoverSelf asks each helpdesk with API access which user slaguard writes as, so its
// own changes coming back as webhooks are recognised and never mistaken for a human's.
func (a *app) discoverSelf(ctx context.Context) error {
	for name, ad := range a.parts.apis {
		me, ok := ad.(apiUser)
		if !ok {
			continue
		}
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			var id string
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			id, err = me.Me(cctx)
			cancel()
			if err == nil {
				a.parts.worker.SetSelfID(name, id)
				if a.parts.selfIDs == nil {
					a.parts.selfIDs = map[string]string{}
				}
				a.parts.selfIDs[name] = id
				a.log.Info(name+": slaguard writes as user", slog.String("helpdesk", name), slog.String("user_id", id))
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt+1) * 2 * time.Second):
			}
		}
		if err != nil {
			return fmt.Errorf("%s: cannot read the user slaguard works as: %w", name, err)
		}
		if name == "zammad" {
			if crit, err := a.parts.zammad.DiscoverPriorities(ctx); err == nil && crit != "" {
				a.log.Info("zammad: critical priority found", slog.String("name", crit))
			}
		}
	}
	return nil
}

// runBilling is `slaguard billing export …`: the month's export without the web server.
func (a *app) runBilling(ctx context.Context, args []string, stdout io.Writer) error {
	if a.embedded != nil {
		return errors.New("billing export needs REDIS_URL: the embedded Redis of a trial run holds no data")
	}
	return billing.RunExportCLI(ctx, args, billing.NewLedger(a.rdb, a.cfg.ImplementationTypes), stdout)
}

// demoBilling prints the billing export of month (YYYY-MM) at the end of the demo.
func (a *app) demoBilling(ctx context.Context, out io.Writer, month string) error {
	x, err := a.parts.ledger.Export(ctx, month, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nbilling export %s (slaguard billing export --month %s --dialect rfc4180):\n", x.Month, x.Month)
	return billing.WriteCSV(out, x, billing.RFC4180)
}
