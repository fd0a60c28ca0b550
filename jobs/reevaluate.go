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

// reevaluateParallel is how many asynq enqueues (timers, write-backs) one task has in
// flight at once.
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
	if err != nil && !tasks.AlreadyQueued(err) {
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
	if err := w.evaluateResumable(ctx, "contract", "slaguard:reevaluate:{"+p.Contract+"}:"+strconv.Itoa(p.Version), keys, nil); err != nil {
		return err
	}
	w.cfg.Log.Info("contract change re-evaluated", slog.String("contract", p.Contract), slog.Int("version", p.Version),
		slog.Int("tickets", len(keys)), slog.Duration("took", time.Since(start)))
	return nil
}

// reevaluateBatch is how many tickets a re-evaluation reads, evaluates and stores
// together (one round trip each for the records, the contracts, the quotas and the
// persists), and how far a task that died resumes from.
const reevaluateBatch = 250

// evaluateResumable evaluates the sorted keys in batches, keeping the last one done in
// cursorKey so a task that dies halfway resumes after it. before, if set, runs before
// each batch; it may end the work early (false) or fail it. A batch's write-backs are
// enqueued while the next batch is evaluated; the cursor passes a batch only once its
// write-backs are enqueued, in order.
// cause labels the tickets re-evaluated in the metrics (contract, rules).
func (w *Worker) evaluateResumable(ctx context.Context, cause, cursorKey string, keys []string, before func(context.Context) (bool, error)) (err error) {
	cursor, _ := w.cfg.Redis.Get(ctx, cursorKey).Result()
	todo := keys[sort.SearchStrings(keys, cursor):]
	if len(todo) > 0 && todo[0] == cursor {
		todo = todo[1:]
	}
	var finishing chan error // the batch before, enqueueing its write-backs
	wait := func() error {
		if finishing == nil {
			return nil
		}
		defer func() { finishing = nil }()
		return <-finishing
	}
	defer func() {
		if werr := wait(); err == nil {
			err = werr
		}
	}()
	for len(todo) > 0 {
		if before != nil {
			if goOn, err := before(ctx); err != nil || !goOn {
				return err
			}
		}
		n := min(reevaluateBatch, len(todo))
		last := todo[n-1]
		finish, err := w.evaluateBatch(ctx, cause, todo[:n])
		if err != nil {
			return err
		}
		if err := wait(); err != nil {
			return err
		}
		finishing = make(chan error, 1)
		go func(done chan<- error) {
			err := finish(ctx)
			if err == nil {
				err = w.cfg.Redis.Set(ctx, cursorKey, last, 24*time.Hour).Err()
			}
			done <- err
		}(finishing)
		todo = todo[n:]
	}
	return nil
}

// evaluateBatch evaluates the tickets at now as process does one, each step for the
// whole batch at once: the records in one round trip, each customer's contract looked up
// once, the quotas counted in one round trip, the timers armed reevaluateParallel at a
// time (asynq enqueues one task per call), the evaluations persisted in one round trip.
// What follows a persist is left to finish: the write-backs and notifications enqueued,
// and a ticket whose persist was refused (an event came in meanwhile) evaluated again
// by process alone, which retries.
func (w *Worker) evaluateBatch(ctx context.Context, cause string, keys []string) (finish func(context.Context) error, err error) {
	recs, err := w.store.LoadMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	match := memoMatch(w.cfg.Contracts.Match)
	var (
		ins     []inputs
		entries []ticketstore.QuotaEntry
		counted []int // index into ins of each entry
	)
	var loaded []*ticketstore.Record
	for _, k := range keys {
		rec, ok := recs[k]
		if !ok {
			continue
		}
		in, q, err := w.decideContract(ctx, rec, match)
		if errors.Is(err, ticketstore.ErrNoTicket) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if q != nil {
			entries = append(entries, *q)
			counted = append(counted, len(ins))
		}
		loaded, ins = append(loaded, rec), append(ins, in)
	}
	pos, err := w.store.CountQuotas(ctx, entries)
	if err != nil {
		return nil, err
	}
	for i, p := range pos {
		ins[counted[i]].ticket.QuotaPosition = p
	}
	now := w.cfg.Clock()
	es := make([]evaluation, len(loaded))
	stored := make([]ticketstore.Evaluated, len(loaded))
	for i, rec := range loaded {
		es[i] = w.evaluate(rec, ins[i], now)
		stored[i] = es[i].Evaluated
	}
	if err := inParallel(ctx, len(es), func(ctx context.Context, i int) error { return w.armMoved(ctx, es[i]) }); err != nil {
		return nil, err
	}
	ps, errs := w.store.PersistMany(ctx, stored)
	for _, err := range errs {
		if err != nil && !errors.Is(err, ticketstore.ErrConflict) {
			return nil, err
		}
	}
	return func(ctx context.Context) error {
		return inParallel(ctx, len(es), func(ctx context.Context, i int) error {
			switch {
			case errors.Is(errs[i], ticketstore.ErrConflict):
				_, _, err := w.process(ctx, es[i].Record.Key, nil)
				if errors.Is(err, ticketstore.ErrNoTicket) {
					return nil
				}
				if err == nil && w.cfg.Metrics != nil {
					w.cfg.Metrics.Reevaluated.WithLabelValues(cause).Inc()
				}
				return err
			case errs[i] != nil:
				return errs[i]
			}
			if err := w.persisted(ctx, es[i], ps[i]); err != nil {
				return err
			}
			if w.cfg.Metrics != nil {
				// Not in Evaluations: a ticket of a batch has no time of its own (the
				// task logs how long the whole re-evaluation took).
				w.cfg.Metrics.Reevaluated.WithLabelValues(cause).Inc()
			}
			return nil
		})
	}, nil
}

// memoMatch answers each customer's contract lookup of a batch once: the tickets of one
// customer, created the same day, match the same contract.
func memoMatch(match matcher) matcher {
	type answer struct {
		c   *contracts.Contract
		err error
	}
	seen := map[string]answer{}
	return func(ctx context.Context, q contracts.MatchQuery) (*contracts.Contract, error) {
		k := strings.Join([]string{strings.ToLower(strings.TrimSpace(q.OrganizationID)),
			strings.ToLower(strings.TrimSpace(q.OrganizationName)), contracts.EmailDomain(q.Email),
			string(contracts.DateOf(q.At))}, "|")
		if a, ok := seen[k]; ok {
			return a.c, a.err
		}
		c, err := match(ctx, q)
		if err == nil || errors.Is(err, contracts.ErrNoContract) {
			seen[k] = answer{c, err}
		}
		return c, err
	}
}

// inParallel runs do for 0..n-1, reevaluateParallel at a time, and returns the first
// failure (after all have run).
func inParallel(ctx context.Context, n int, do func(context.Context, int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, reevaluateParallel)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := do(ctx, i); err != nil {
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
