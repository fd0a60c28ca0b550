package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// A change of a contract (created, edited, ended, removed) re-evaluates every open ticket
// it covers, starts to cover or stops covering: those the contract covered (its index) and
// those of its organisations and domains (the customers' index), found without scanning
// the board. One task per contract version (TaskID reevaluate:<id>:<version>), so a change
// announced twice re-evaluates once; evaluating a ticket twice changes nothing, and a task
// that dies halfway resumes after the last ticket it finished (a cursor in Redis).

// reevaluateParallel is how many tickets one task evaluates at once.
const reevaluateParallel = 32

type reevaluatePayload struct {
	Contract string `json:"contract"`
	Version  int    `json:"version"` // 0: removed
}

func reevaluateID(contractID string, version int) string {
	return "reevaluate:" + contractID + ":" + strconv.Itoa(version)
}

// EnqueueReevaluation asks for the re-evaluation of a contract's tickets after the change
// that made its version (0 for a removal). Announcing the same version twice is a no-op.
func (w *Worker) EnqueueReevaluation(ctx context.Context, a contracts.Announcement) error {
	b, _ := json.Marshal(reevaluatePayload{Contract: a.ContractID, Version: a.Version})
	t := asynq.NewTask(tasks.TypeReevaluate, b, asynq.TaskID(reevaluateID(a.ContractID, a.Version)),
		asynq.Queue(tasks.QueueEvents), asynq.MaxRetry(25), asynq.Retention(24*time.Hour))
	_, err := w.cfg.Queue.EnqueueContext(ctx, t)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("jobs: enqueue re-evaluation of contract %s: %w", a.ContractID, err)
	}
	return nil
}

// SweepContracts enqueues the re-evaluation of every contract at its current version; a
// worker runs it at start, so a change whose announcement was lost (Redis down between
// the write and the enqueue) is acted on. Versions already re-evaluated within a day are
// refused by their TaskID.
func (w *Worker) SweepContracts(ctx context.Context) (int, error) {
	vs, err := w.cfg.Contracts.Versions(ctx)
	if err != nil {
		return 0, err
	}
	for id, v := range vs {
		if err := w.EnqueueReevaluation(ctx, contracts.Announcement{ContractID: id, Version: v}); err != nil {
			return 0, err
		}
	}
	return len(vs), nil
}

func (w *Worker) handleReevaluate(ctx context.Context, t *asynq.Task) error {
	var p reevaluatePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Contract == "" {
		return fmt.Errorf("jobs: decode re-evaluation: %v: %w", err, asynq.SkipRetry)
	}
	start := time.Now()
	keys, err := w.store.ContractTickets(ctx, p.Contract)
	if err != nil {
		return err
	}
	c, err := w.cfg.Contracts.Get(ctx, p.Contract)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
	case err != nil:
		return err
	default:
		more, err := w.store.TicketsUnder(ctx, contractMatchKeys(c.Spec))
		if err != nil {
			return err
		}
		keys = append(keys, more...)
	}
	sort.Strings(keys)
	keys = compactStrings(keys)
	if err := w.evaluateResumable(ctx, "slaguard:reevaluate:{"+p.Contract+"}:"+strconv.Itoa(p.Version), keys, nil); err != nil {
		return err
	}
	w.cfg.Log.Info("contract change re-evaluated", slog.String("contract", p.Contract), slog.Int("version", p.Version),
		slog.Int("tickets", len(keys)), slog.Duration("took", time.Since(start)))
	return nil
}

// evaluateResumable evaluates the sorted keys in batches, keeping the last one done in
// cursorKey so a task that dies halfway resumes after it. before, if set, runs before
// each batch; it may end the work early (false) or fail it.
func (w *Worker) evaluateResumable(ctx context.Context, cursorKey string, keys []string, before func(context.Context) (bool, error)) error {
	cursor, _ := w.cfg.Redis.Get(ctx, cursorKey).Result()
	todo := keys[sort.SearchStrings(keys, cursor):]
	if len(todo) > 0 && todo[0] == cursor {
		todo = todo[1:]
	}
	const batch = 64
	for len(todo) > 0 {
		if before != nil {
			if goOn, err := before(ctx); err != nil || !goOn {
				return err
			}
		}
		n := min(batch, len(todo))
		if err := w.evaluateAll(ctx, todo[:n]); err != nil {
			return err
		}
		if err := w.cfg.Redis.Set(ctx, cursorKey, todo[n-1], 24*time.Hour).Err(); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

// evaluateAll evaluates the tickets at now, a few at a time.
func (w *Worker) evaluateAll(ctx context.Context, keys []string) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	sem := make(chan struct{}, reevaluateParallel)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, _, err := w.process(ctx, k, nil); err != nil && !errors.Is(err, ticketstore.ErrNoTicket) {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// ticketMatchKeys are a ticket's entries in the customers' index: its organisation (id
// and name) and its customer's e-mail domain, as contracts match them.
func ticketMatchKeys(org, orgName, email string) []string {
	var out []string
	for _, o := range []string{org, orgName} {
		if o = strings.ToLower(strings.TrimSpace(o)); o != "" && !containsString(out, "o:"+o) {
			out = append(out, "o:"+o)
		}
	}
	if d := contracts.EmailDomain(email); d != "" {
		out = append(out, "d:"+d)
	}
	return out
}

// contractMatchKeys are the customers' index entries a contract covers.
func contractMatchKeys(s contracts.Spec) []string {
	var out []string
	for _, o := range s.Organizations {
		out = append(out, "o:"+strings.ToLower(strings.TrimSpace(o)))
	}
	for _, d := range s.Domains {
		out = append(out, "d:"+strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), "."))
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func compactStrings(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
