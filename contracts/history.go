package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// keyHistory + id is a list of the contract's audit entries, oldest first. It shares the
// {all} hash tag with the contract's other keys.
const keyHistory = keyPrefix + "history:"

// Change is one entry of a contract's audit trail: who changed it, when, how, and the
// contract before and after (Before is nil for a creation or import, After for a removal).
type Change struct {
	At     time.Time `json:"at"`
	Who    string    `json:"who"`
	Action string    `json:"action"` // create, replace, patch, delete, remove, import
	Before *Contract `json:"before"`
	After  *Contract `json:"after"`
}

// Record appends a change to contract id's audit trail. The trail is written after the
// change itself (a crash between the two loses the entry, never the change).
func (r *Repo) Record(ctx context.Context, id string, ch Change) error {
	raw, err := json.Marshal(ch)
	if err != nil {
		return fmt.Errorf("contracts: record %s: %w", id, err)
	}
	if err := r.rdb.RPush(ctx, keyHistory+id, raw).Err(); err != nil {
		return fmt.Errorf("contracts: record %s: %w", id, err)
	}
	return nil
}

// History returns contract id's audit trail, oldest first; empty for an unknown id.
func (r *Repo) History(ctx context.Context, id string) ([]Change, error) {
	raws, err := r.rdb.LRange(ctx, keyHistory+id, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("contracts: history %s: %w", id, err)
	}
	out := make([]Change, 0, len(raws))
	for _, raw := range raws {
		var ch Change
		if err := json.Unmarshal([]byte(raw), &ch); err != nil {
			return nil, fmt.Errorf("contracts: history %s: %w", id, err)
		}
		out = append(out, ch)
	}
	return out, nil
}

// Import stores c as it is (id, version, dates, deleted or not) if no contract has its
// id yet; the overlap rule applies as for Create. It fails with ErrExists when the id is
// taken, or a *ConflictError.
func (r *Repo) Import(ctx context.Context, c *Contract) error {
	if c.Version < 1 {
		c.Version = 1
	}
	if err := r.save(ctx, c, 0, nil); err != nil {
		return fmt.Errorf("contracts: import: %w", err)
	}
	r.announce(ctx, Announcement{ContractID: c.ID, Version: c.Version})
	return nil
}

// All returns every stored contract, deleted ones included, oldest first. The contracts
// may be shared with other callers (as Match's): they must not be modified.
func (r *Repo) All(ctx context.Context) ([]*Contract, error) {
	ids, err := r.rdb.ZRange(ctx, keyIndex, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("contracts: all: %w", err)
	}
	all, err := r.load(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("contracts: all: %w", err)
	}
	return all, nil
}
