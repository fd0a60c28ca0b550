package contracts

import (
	"context"
	"log/slog"
)

// Announcement says that a contract was created, changed, ended or removed: every open
// ticket it covers, starts to cover or stops covering must be evaluated again.
type Announcement struct {
	ContractID string
	// Version is the contract's version after the change (0 when it was removed).
	Version int
	Removed bool
}

// OnChange registers fn to be told of every change the repository makes, after the write
// succeeded (the worker wires the re-evaluation here). A failing fn does not undo the
// write; it is logged, and the worker's start-up sweep (Versions) catches up with any
// change that was not announced. Call it before the repository is used.
func (r *Repo) OnChange(fn func(ctx context.Context, a Announcement) error) {
	r.onChange = append(r.onChange, fn)
}

// SetLogger sets where failed announcements are logged (nil: nowhere).
func (r *Repo) SetLogger(l *slog.Logger) { r.log = l }

func (r *Repo) announce(ctx context.Context, ch Announcement) {
	for _, fn := range r.onChange {
		if err := fn(context.WithoutCancel(ctx), ch); err != nil && r.log != nil {
			r.log.Error("contract change not announced; the next worker start re-evaluates it",
				slog.String("contract", ch.ContractID), slog.Int("version", ch.Version), slog.String("error", err.Error()))
		}
	}
}

// Versions returns every stored contract's id with its version, for a sweep that checks
// each change was acted on.
func (r *Repo) Versions(ctx context.Context) (map[string]int, error) {
	ids, err := r.rdb.ZRange(ctx, keyIndex, 0, -1).Result()
	if err != nil {
		return nil, err
	}
	cs, err := r.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(cs))
	for _, c := range cs {
		out[c.ID] = c.Version
	}
	return out, nil
}
