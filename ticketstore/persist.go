package ticketstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
)

// ErrConflict: the ticket's log changed between Load and Persist (another worker added an
// event); nothing of the ticket's hash was written. Load again and evaluate again.
var ErrConflict = errors.New("ticketstore: the ticket changed since it was read")

// Change is what one evaluation of a ticket stores.
type Change struct {
	// Summary of the evaluation, for the board and the API.
	Summary Summary
	// Issue are the marks the ticket carries with the writes that carry them; marks not
	// issued before get the next places in the ticket's write order, in this order.
	Issue []Issue
	// NextCheck is when the ticket must be evaluated again (zero: never by itself); the
	// ticket keeps it (field n) so its timer can be armed again at start.
	NextCheck time.Time
	// BoardAt orders the ticket on the at-risk board (zero: off the board).
	BoardAt time.Time
	// Index is the ticket's entry in the contract and customer indexes (IndexEntry; ""
	// takes it out of them, as for a closed ticket).
	Index string
}

// Issue is a mark and the write that carries it to the helpdesk.
type Issue struct {
	Mark  string
	Write helpdesk.Write
}

// Persisted is what Persist did.
type Persisted struct {
	// Added: the record's new event (Record.Add) was stored now.
	Added bool
	// Issued are the marks issued now (they were not before).
	Issued []string
	// LastIssued is the sequence number of the ticket's newest issued mark.
	LastIssued int64
}

// Evaluated is one ticket's record as read and the change its evaluation stores.
type Evaluated struct {
	Record *Record
	Change Change
}

// Persist stores an evaluation of rec in one round trip: the event rec.Add took in, the
// summary and the marks newly issued (one script on the ticket's hash, refused with
// ErrConflict if the log gained an event since rec was read), and, in the same pipeline,
// the ticket's place on the board and its move to ch.Index in the contract and customer
// indexes. The indexes are derived data: they are written even when the script is
// refused, and the evaluation that follows the refusal puts them right.
func (s *Store) Persist(ctx context.Context, rec *Record, ch Change) (Persisted, error) {
	ps, errs := s.PersistMany(ctx, []Evaluated{{Record: rec, Change: ch}})
	return ps[0], errs[0]
}

// PersistMany is Persist for many tickets in one pipelined round trip. errs[i] is nil,
// ErrConflict (that ticket alone was refused; evaluate it again) or the failure of the
// round trip.
func (s *Store) PersistMany(ctx context.Context, evs []Evaluated) (ps []Persisted, errs []error) {
	ps, errs = make([]Persisted, len(evs)), make([]error, len(evs))
	var b pipeline
	persists := make([]*scriptCall, len(evs))
	for i, e := range evs {
		args, err := persistArgs(e.Record, e.Change)
		if err != nil {
			errs[i] = err
			continue
		}
		rec, ch := e.Record, e.Change
		persists[i] = b.script(ctx, persistScript, []string{ticketHash(rec.Key)}, args...)
		if ch.BoardAt.IsZero() {
			b.cmd(func(p redis.Pipeliner) { p.ZRem(ctx, keyBoard, rec.Key) })
		} else {
			b.cmd(func(p redis.Pipeliner) {
				p.ZAdd(ctx, keyBoard, redis.Z{Score: float64(ch.BoardAt.Unix()), Member: rec.Key})
			})
		}
		b.reindex(ctx, rec, ch.Index)
	}
	if err := b.run(ctx, s.rdb); err != nil {
		// Only a failed script matters below; an index that failed is repaired by the
		// ticket's next evaluation.
		for i := range errs {
			if errs[i] == nil && persists[i] != nil && persists[i].cmd.Err() != nil {
				errs[i] = fmt.Errorf("ticketstore: persist %s: %w", evs[i].Record.Key, persists[i].cmd.Err())
			}
		}
	}
	for i, e := range evs {
		if errs[i] != nil {
			continue
		}
		ps[i], errs[i] = persisted(e.Record, e.Change, persists[i].cmd)
		if errs[i] == nil {
			e.Record.Index, e.Record.legacyIndex = e.Change.Index, ""
		}
	}
	return ps, errs
}

func persistArgs(rec *Record, ch Change) ([]any, error) {
	status, err := json.Marshal(ch.Summary)
	if err != nil {
		return nil, fmt.Errorf("ticketstore: encode status of %s: %w", rec.Key, err)
	}
	args := make([]any, 0, 6+2*len(ch.Issue))
	field, value := "", []byte(nil)
	if rec.added != nil {
		field, value = rec.added.field, rec.added.value
	}
	args = append(args, rec.Version, field, value, status, unixMilli(ch.NextCheck), len(ch.Issue))
	for _, is := range ch.Issue {
		b, err := json.Marshal(is.Write)
		if err != nil {
			return nil, fmt.Errorf("ticketstore: encode write %s of %s: %w", is.Mark, rec.Key, err)
		}
		args = append(args, is.Mark, b)
	}
	return args, nil
}

// persisted reads the answer of the persist script into rec.
func persisted(rec *Record, ch Change, res *redis.Cmd) (Persisted, error) {
	out, err := res.Slice()
	if err != nil {
		return Persisted{}, fmt.Errorf("ticketstore: persist %s: %w", rec.Key, err)
	}
	if len(out) == 1 {
		return Persisted{}, ErrConflict
	}
	p := Persisted{Added: out[0].(int64) == 1, LastIssued: out[1].(int64)}
	for _, m := range out[2:] {
		p.Issued = append(p.Issued, m.(string))
	}
	rec.NextCheck = ch.NextCheck
	if p.Added {
		rec.fields[rec.added.field] = true
		rec.Version++
	}
	rec.added = nil
	for i, m := range p.Issued {
		rec.Issued[m] = p.LastIssued - int64(len(p.Issued)-1-i)
	}
	for _, is := range ch.Issue {
		if _, written := rec.Written[is.Mark]; !written {
			if _, ok := rec.Pending[is.Mark]; !ok && contains(p.Issued, is.Mark) {
				rec.Pending[is.Mark] = Pending{Write: is.Write, Version: rec.Version}
			}
		}
	}
	return p, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// persistScript: KEYS[1] the ticket's hash; ARGV: expected version, event field ("" for
// none), event, status, next check (unix ms, 0: none), n, then n pairs of mark and write. It returns {0} when the
// version moved on, else {added, last seq, marks issued now...}.
var persistScript = redis.NewScript(`
local h = KEYS[1]
local v = tonumber(redis.call('HGET', h, 'v') or '0')
if v ~= tonumber(ARGV[1]) then return {0} end
local added = 0
if ARGV[2] ~= '' then
  added = redis.call('HSETNX', h, ARGV[2], ARGV[3])
  if added == 1 then redis.call('HINCRBY', h, 'v', 1) end
end
redis.call('HSET', h, 'status', ARGV[4])
if ARGV[5] == '0' then redis.call('HDEL', h, 'n') else redis.call('HSET', h, 'n', ARGV[5]) end
local out = {added, 0}
local n = tonumber(ARGV[6])
for i = 0, n - 1 do
  local m = ARGV[7 + 2 * i]
  if redis.call('HEXISTS', h, 'i:' .. m) == 0 then
    local seq = redis.call('HINCRBY', h, 'seq', 1)
    redis.call('HSET', h, 'i:' .. m, seq, 'q:' .. m, (v + added) .. '|' .. ARGV[8 + 2 * i])
    out[#out + 1] = m
  end
end
out[2] = tonumber(redis.call('HGET', h, 'seq') or '0')
return out`)

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
