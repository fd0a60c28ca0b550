package contracts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Repo stores contracts in Redis. It is safe for concurrent use by many processes: every
// write is one Lua script that checks the version and the overlap rule and writes.
// Its reads (Match, List, All) reuse the contracts they decoded before when the stored
// JSON is unchanged, so the contracts they return are shared and must not be modified;
// Get returns the caller's own.
type Repo struct {
	rdb      redis.UniversalClient
	clock    func() time.Time
	onChange []func(context.Context, Announcement) error
	log      *slog.Logger
	cache    *decodedCache
}

// NewRepo returns a repository on rdb; clock stamps created_at/updated_at (nil: time.Now).
func NewRepo(rdb redis.UniversalClient, clock func() time.Time) *Repo {
	if clock == nil {
		clock = time.Now
	}
	return &Repo{rdb: rdb, clock: clock, cache: newDecodedCache()}
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a fresh contract id: "c_" and 16 random base32 characters.
func NewID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "c_" + idEncoding.EncodeToString(b[:])
}

// Create stores a new contract for spec (which the caller has validated) with a new id at
// version 1. It fails with a *ConflictError when an overlapping contract holds one of its
// organisations or domains; nothing is stored then.
func (r *Repo) Create(ctx context.Context, spec Spec) (*Contract, error) {
	now := r.clock().UTC()
	c := &Contract{ID: NewID(), Spec: spec, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := r.save(ctx, c, 0, nil); err != nil {
		return nil, fmt.Errorf("contracts: create: %w", err)
	}
	r.announce(ctx, Announcement{ContractID: c.ID, Version: c.Version})
	return c, nil
}

// Get returns the contract with the id, or ErrNotFound. The contract is the caller's own
// to modify (unlike those of Match and List).
func (r *Repo) Get(ctx context.Context, id string) (*Contract, error) {
	raw, err := r.rdb.Get(ctx, dataKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("contracts: get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("contracts: get %s: %w", id, err)
	}
	return decode(id, raw)
}

func decode(id string, raw []byte) (*Contract, error) {
	var c Contract
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("contracts: decode %s: %w", id, err)
	}
	return &c, nil
}

// Update replaces the spec of contract id if its version is still version. It fails with
// ErrNotFound, ErrStale, ErrDeleted or a *ConflictError, and then changes nothing.
func (r *Repo) Update(ctx context.Context, id string, version int, spec Spec) (*Contract, error) {
	return r.modify(ctx, id, version, func(c *Contract) error { c.Spec = spec; return nil })
}

// Patch applies an RFC 7396 JSON merge patch to the spec of contract id at version, then
// lets check vet the result (check returns the problem to report, e.g. spec.Validate); it
// fails like Update, or with check's error, and then changes nothing.
func (r *Repo) Patch(ctx context.Context, id string, version int, patch []byte, check func(*Spec) error) (*Contract, error) {
	return r.modify(ctx, id, version, func(c *Contract) error {
		spec, err := MergePatch(c.Spec, patch)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(&spec); err != nil {
				return err
			}
		}
		c.Spec = spec
		return nil
	})
}

// SoftDelete marks contract id deleted and ends it on today (Vienna date of the clock)
// unless it ends earlier. It fails like Update.
func (r *Repo) SoftDelete(ctx context.Context, id string, version int) (*Contract, error) {
	return r.modify(ctx, id, version, func(c *Contract) error {
		now := r.clock().UTC()
		today := DateOf(now)
		if c.EndsOn == "" || c.EndsOn > today {
			c.EndsOn = today
		}
		if c.EndsOn < c.StartsOn {
			c.EndsOn = c.StartsOn // never started: keep the dates valid
		}
		c.Deleted, c.DeletedAt = true, &now
		return nil
	})
}

// Remove deletes contract id for good if its version is still version; it fails with
// ErrNotFound or ErrStale.
func (r *Repo) Remove(ctx context.Context, id string, version int) error {
	c, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	keys := append([]string{dataKey(id), keyIndex}, c.matchKeys()...)
	res, err := removeScript.Run(ctx, r.rdb, keys, id, version).StringSlice()
	if err != nil {
		return fmt.Errorf("contracts: remove %s: %w", id, err)
	}
	if err := scriptResult(id, res); err != nil {
		return fmt.Errorf("contracts: remove: %w", err)
	}
	r.announce(ctx, Announcement{ContractID: id, Removed: true})
	return nil
}

func (r *Repo) modify(ctx context.Context, id string, version int, change func(*Contract) error) (*Contract, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return nil, fmt.Errorf("contracts: update %s: %w", id, ErrStale)
	}
	if c.Deleted {
		return nil, fmt.Errorf("contracts: update %s: %w", id, ErrDeleted)
	}
	oldKeys := c.matchKeys()
	if err := change(c); err != nil {
		return nil, err
	}
	c.Version = version + 1
	c.UpdatedAt = r.clock().UTC()
	if err := r.save(ctx, c, version, oldKeys); err != nil {
		return nil, fmt.Errorf("contracts: update: %w", err)
	}
	r.announce(ctx, Announcement{ContractID: c.ID, Version: c.Version})
	return c, nil
}

// save runs saveScript: the write happens only if the stored version is expected. The
// contracts already under the new match keys are read first so the script can declare
// their keys; when one is added in between, the script says so and save reads again.
func (r *Repo) save(ctx context.Context, c *Contract, expected int, oldKeys []string) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("%s: %w", c.ID, err)
	}
	newKeys := c.matchKeys()
	for attempt := 0; attempt < 10; attempt++ {
		var others []string
		if len(newKeys) > 0 {
			if others, err = r.rdb.SUnion(ctx, newKeys...).Result(); err != nil {
				return fmt.Errorf("%s: %w", c.ID, err)
			}
		}
		keys := make([]string, 0, 2+len(newKeys)+len(oldKeys)+len(others))
		keys = append(keys, dataKey(c.ID), keyIndex)
		keys = append(keys, newKeys...)
		keys = append(keys, oldKeys...)
		args := []any{c.ID, expected, raw, string(c.StartsOn), string(c.EndsOn),
			c.CreatedAt.UnixMilli(), len(newKeys), len(oldKeys)}
		for _, id := range others {
			keys = append(keys, dataKey(id))
			args = append(args, id)
		}
		res, err := saveScript.Run(ctx, r.rdb, keys, args...).StringSlice()
		if err != nil {
			return fmt.Errorf("%s: %w", c.ID, err)
		}
		if len(res) == 1 && res[0] == "RETRY" {
			continue
		}
		return scriptResult(c.ID, res)
	}
	return fmt.Errorf("%s: the contracts under its organisations and domains kept changing; try again", c.ID)
}

func scriptResult(id string, res []string) error {
	if len(res) == 0 {
		return fmt.Errorf("%s: empty script answer", id)
	}
	switch res[0] {
	case "OK":
		return nil
	case "MISSING":
		return fmt.Errorf("%s: %w", id, ErrNotFound)
	case "STALE":
		return fmt.Errorf("%s: %w", id, ErrStale)
	case "DELETED":
		return fmt.Errorf("%s: %w", id, ErrDeleted)
	case "EXISTS":
		return fmt.Errorf("%s: %w", id, ErrExists)
	case "CONFLICT":
		ce := &ConflictError{ContractID: res[1], Kind: "organization"}
		ce.Value = strings.TrimPrefix(res[2], keyOrg)
		if strings.HasPrefix(res[2], keyDomain) {
			ce.Kind, ce.Value = "domain", strings.TrimPrefix(res[2], keyDomain)
		}
		return ce
	}
	return fmt.Errorf("%s: unexpected script answer %q", id, res)
}
