package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/classify"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/tasks"
)

// The correction rules can change while slaguard runs (SIGHUP, POST /api/v1/admin/reload).
// The process that reads the new file publishes it: the text and its version (a hash of
// the text) go to one Redis hash, a message on a channel tells every process, and one
// task per version re-evaluates every open ticket the rules can change (those under a
// contract). Every process evaluates with the rules of the version Redis holds: it
// follows the channel, and the re-evaluation checks the version before each batch (a
// process that missed the message catches up there).
const (
	rulesKey     = "slaguard:rules"         // hash: version, yaml, name
	rulesChannel = "slaguard:rules-changed" // message: the new version
)

type loadedRules struct {
	rules    *classify.Rules
	version  string
	verdicts verdictMemo // the verdicts of these rules, by text
}

// RulesVersionOf is the version of a rules text: the start of its SHA-256.
func RulesVersionOf(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:8])
}

// Rules are the correction rules the worker evaluates with, and their version.
func (w *Worker) Rules() (*classify.Rules, string) {
	l := w.rules.Load()
	return l.rules, l.version
}

// PublishRules parses text (name: the file, for errors) and, when valid, makes it the
// rules of every process: stored in Redis, announced, and — when the version differs from
// the one Redis held — every open ticket under a contract re-evaluated once. A bad text changes nothing;
// the error wraps rulesfile.ErrFormat or classify.ErrInvalidRule and names the line.
func (w *Worker) PublishRules(ctx context.Context, text []byte, name string) (version string, changed bool, err error) {
	r, err := rulesfile.Parse(text, name)
	if err != nil {
		return "", false, err
	}
	version = RulesVersionOf(text)
	old, err := w.cfg.Redis.HGet(ctx, rulesKey, "version").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", false, fmt.Errorf("jobs: read the rules version: %w", err)
	}
	w.rules.Store(&loadedRules{rules: r, version: version})
	if old == version {
		return version, false, nil
	}
	if err := w.cfg.Redis.HSet(ctx, rulesKey, "version", version, "yaml", text, "name", name).Err(); err != nil {
		return "", false, fmt.Errorf("jobs: store the rules: %w", err)
	}
	if err := w.cfg.Redis.Publish(ctx, rulesChannel, version).Err(); err != nil {
		return "", false, fmt.Errorf("jobs: announce the rules: %w", err)
	}
	if err := w.enqueueRulesReevaluation(ctx, version); err != nil {
		return "", false, err
	}
	w.cfg.Log.Info("rules published", slog.String("version", version), slog.String("previous", old), slog.String("file", name))
	return version, true, nil
}

// SyncRules takes the rules Redis holds when their version is not the worker's; it
// returns the version in force (empty: nothing published yet, the worker's own rules stay).
func (w *Worker) SyncRules(ctx context.Context) (string, error) {
	v, err := w.cfg.Redis.HGet(ctx, rulesKey, "version").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("jobs: read the rules version: %w", err)
	}
	if _, mine := w.Rules(); mine == v {
		return v, nil
	}
	f, err := w.cfg.Redis.HMGet(ctx, rulesKey, "version", "yaml", "name").Result()
	if err != nil {
		return "", fmt.Errorf("jobs: read the rules: %w", err)
	}
	v, _ = f[0].(string)
	text, _ := f[1].(string)
	name, _ := f[2].(string)
	r, err := rulesfile.Parse([]byte(text), name)
	if err != nil { // published only after parsing; a different build may read it otherwise
		return "", fmt.Errorf("jobs: the published rules %s do not parse here: %w", v, err)
	}
	w.rules.Store(&loadedRules{rules: r, version: v})
	w.cfg.Log.Info("rules reloaded", slog.String("version", v), slog.String("file", name))
	return v, nil
}

// FollowRules keeps the worker on the published rules until ctx ends: at once, on each
// announcement, and every interval (a message lost while the connection was down).
func (w *Worker) FollowRules(ctx context.Context, interval time.Duration) {
	sub := w.cfg.Redis.Subscribe(ctx, rulesChannel)
	defer sub.Close()
	msgs := sub.Channel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := w.SyncRules(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Log.Error("rules not reloaded", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-msgs:
		case <-tick.C:
		}
	}
}

type rulesPayload struct {
	Version string `json:"version"`
}

func (w *Worker) enqueueRulesReevaluation(ctx context.Context, version string) error {
	b, _ := json.Marshal(rulesPayload{Version: version})
	t := asynq.NewTask(tasks.TypeRulesReevaluate, b, asynq.TaskID("rules:"+version),
		asynq.Queue(tasks.QueueEvents), asynq.MaxRetry(25), asynq.Retention(24*time.Hour))
	_, err := w.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !tasks.AlreadyQueued(err) {
		return fmt.Errorf("jobs: enqueue re-evaluation under rules %s: %w", version, err)
	}
	return nil
}

// handleRulesReevaluate re-evaluates, under the rules version of the task, every open
// ticket the rules can change: the rules decide a ticket's priority correction and
// whether it is a change request, and sla.Evaluate reads that verdict only under a
// contract. So the tickets are those of the contracts' indexes; one without a contract
// (with or without a customer, which is then in no index at all) evaluates the same
// under any rules. The task stops when a newer version was published (that version's
// task takes over) and resumes after the last ticket done.
func (w *Worker) handleRulesReevaluate(ctx context.Context, t *asynq.Task) error {
	var p rulesPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Version == "" {
		return fmt.Errorf("jobs: decode rules re-evaluation: %v: %w", err, asynq.SkipRetry)
	}
	start := time.Now()
	vs, err := w.cfg.Contracts.Versions(ctx)
	if err != nil {
		return fmt.Errorf("jobs: contracts for the rules re-evaluation: %w", err)
	}
	ids := make([]string, 0, len(vs))
	for id := range vs {
		ids = append(ids, id)
	}
	keys, err := w.store.TicketsOfContracts(ctx, ids)
	if err != nil {
		return err
	}
	sort.Strings(keys)
	current := func(ctx context.Context) (bool, error) {
		v, err := w.SyncRules(ctx)
		return v == p.Version, err
	}
	if err := w.evaluateResumable(ctx, "rules", "slaguard:reevaluate:{rules}:"+p.Version, keys, current); err != nil {
		return err
	}
	w.cfg.Log.Info("rules change re-evaluated", slog.String("version", p.Version),
		slog.Int("tickets", len(keys)), slog.Duration("took", time.Since(start)))
	return nil
}
