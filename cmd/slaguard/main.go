// Command slaguard enforces MONOBUNT's support contract on a helpdesk.
//
//	slaguard [serve]   web and worker in one process (the default)
//	slaguard web       the HTTP side only: webhooks, admin API, metrics
//	slaguard worker    the background side only: events, timers, write-backs
//	slaguard config    print the effective configuration, secrets masked
//	slaguard billing export --month 2026-11 [--contract ID] [--format csv|json] [-o file]
//	slaguard demo      a scripted day against a built-in fake Zammad
//	slaguard reconcile --since 2026-11-01T00:00:00Z   one catch-up pass with every configured helpdesk now
//	slaguard rules explain --title … --body …   what the correction rules make of a text
//
// Configuration comes from environment variables, or flags of the same names (see
// `slaguard config -h` and the README).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/monobunt/slaguard/billing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "slaguard:", err)
		os.Exit(1)
	}
}

// run is main without the process: the role comes from args, configuration from getenv.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	role := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		role, args = args[0], args[1:]
	}
	tuneGC(role, getenv)
	switch role {
	case "serve", "web", "worker", "config", "billing", "demo", "reconcile":
	case "healthcheck":
		return healthcheck(ctx, args)
	case "doctor":
		if helpRequested(args) {
			fmt.Fprint(stdout, usage)
			PrintFlags(stdout)
			return nil
		}
		return doctor(ctx, getenv, args, nil, stdout)
	case "rules":
		return runRules(args, getenv, os.Stdin, stdout)
	case "help":
		fmt.Fprint(stdout, usage)
		PrintFlags(stdout)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", role, usage)
	}
	if role == "demo" {
		return runDemo(ctx, args, stdout, stderr)
	}
	var sub []string
	if role == "billing" || role == "reconcile" {
		// billing's and reconcile's own flags follow its subcommand; configuration comes from the env.
		sub, args = args, nil
	}
	cfg, err := LoadConfig(getenv, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		PrintFlags(stdout)
		return nil
	}
	if err != nil {
		return err
	}
	unknown := unknownVariables(environ())
	if role == "config" {
		cfg.Print(stdout)
		for _, u := range unknown {
			fmt.Fprintln(stderr, "slaguard: warning:", u)
		}
		return nil
	}
	if role == "billing" && helpRequested(sub) {
		return billing.RunExportCLI(ctx, sub, nil, stdout) // prints the usage; nothing is read
	}
	if role == "billing" && cfg.RedisURL == "" {
		// Refuse before starting anything: a fresh embedded Redis has no ledger to export.
		return errors.New("billing export reads the ledger in Redis: set REDIS_URL to the service's Redis; " +
			"a trial run (embedded Redis) exports over HTTP instead: " +
			"curl -H 'Authorization: Bearer <token>' localhost:8080/api/v1/billing/2026-11?format=csv")
	}
	log := newLogger(stderr, cfg.LogLevel)
	for _, u := range unknown {
		log.Warn("unknown setting: " + u)
	}
	a, err := newApp(cfg, log, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	if role == "billing" {
		return a.runBilling(ctx, sub, stdout)
	}
	if role == "reconcile" {
		return a.runReconcile(ctx, sub, stdout)
	}
	if err := a.run(ctx, role); err != nil {
		return err
	}
	log.Info("stopped cleanly", slog.String("role", role))
	return nil
}

const usage = `usage: slaguard [serve|web|worker|config|billing|demo|rules|reconcile] [flags]
  serve    web and worker in one process (default)
  web      HTTP only: webhooks, admin API, metrics
  worker   background work only: events, timers, write-backs
  config   print the effective configuration, secrets masked
  billing  export --month YYYY-MM [--contract ID] [--format csv|json] [--dialect excel-at|rfc4180] [-o file]
  demo     a scripted day against a built-in fake Zammad, in about a minute
  reconcile [--since RFC3339]   one catch-up pass: enqueue what the helpdesks changed that no webhook delivered
  rules    explain --title TEXT [--body TEXT] [--rules-file FILE] [--json]: what the
           priority-correction rules make of a ticket; rules check | rules default
           Reload a running service's rules file: kill -HUP <pid> of any slaguard process,
           or POST /api/v1/admin/reload (admin token); a bad file is refused, the old stays
  doctor   check Redis, the helpdesk API and its permissions, the webhook secret, the
           clock and the rules; says what is wrong and how to fix it; exit 1 on a problem
  healthcheck URL   exit 0 when URL answers 200 (for container health checks)
`

// helpRequested reports whether args ask a subcommand for its usage.
func helpRequested(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// healthcheck lets a container without curl probe the service: exit 0 on 200.
func healthcheck(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: slaguard healthcheck http://127.0.0.1:8080/readyz")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", args[0], resp.StatusCode)
	}
	return nil
}
