package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/monobunt/slaguard/internal/problem"
	"github.com/monobunt/slaguard/internal/rulesfile"
)

// rulesFollowInterval is how often a process checks the published rules version besides
// the announcements (one lost while its Redis connection was down).
const rulesFollowInterval = 30 * time.Second

// reloadRules reads SLAGUARD_RULES_FILE (empty: the built-in rules) and publishes it to
// every process (jobs.Worker.PublishRules). A bad file changes nothing.
func (a *app) reloadRules(ctx context.Context) (version string, changed bool, err error) {
	text, name := rulesfile.DefaultYAML(), "built-in rules"
	if a.cfg.RulesFile != "" {
		if text, err = os.ReadFile(a.cfg.RulesFile); err != nil {
			return "", false, fmt.Errorf("SLAGUARD_RULES_FILE: %w", err)
		}
		name = a.cfg.RulesFile
	}
	return a.parts.worker.PublishRules(ctx, text, name)
}

type reloadResult struct {
	// RulesVersion is the version in force (the start of the file's SHA-256).
	RulesVersion string `json:"rules_version"`
	// Changed: the file differed from the rules in force; every open ticket under a
	// contract is being re-evaluated under it (one task per version).
	Changed bool `json:"changed"`
}

// postReload re-reads the rules file on this process and makes every web and worker
// process use it; a file that does not parse is refused (422, the old rules stay).
func (a *app) postReload(c echo.Context) error {
	version, changed, err := a.reloadRules(c.Request().Context())
	if err != nil {
		a.log.Warn("rules reload refused", slog.String("error", err.Error()))
		return problem.Fields(http.StatusUnprocessableEntity, "the rules file was not loaded; the rules in force stay",
			problem.FieldError{Field: "SLAGUARD_RULES_FILE", Reason: err.Error()})
	}
	return c.JSON(http.StatusOK, reloadResult{RulesVersion: version, Changed: changed})
}

// followRules keeps a web process on the published rules (a worker does in runWorker).
func (a *app) followRules(ctx context.Context) error {
	a.parts.worker.FollowRules(ctx, rulesFollowInterval)
	return nil
}

// reloadOnSIGHUP reloads the rules file on SIGHUP (every role).
func (a *app) reloadOnSIGHUP(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			version, changed, err := a.reloadRules(ctx)
			if err != nil {
				a.log.Error("SIGHUP: rules file refused, the rules in force stay", slog.String("error", err.Error()))
				continue
			}
			a.log.Info("SIGHUP: rules file reloaded", slog.String("version", version), slog.Bool("changed", changed))
		}
	}
}
