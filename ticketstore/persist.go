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

// Persist stores an evaluation of rec in one round trip: the event rec.Add took in, the
// summary and the marks newly issued (one script on the ticket's hash, refused with
// ErrConflict if the log gained an event since rec was read), and, in the same pipeline,
// the ticket's place on the board. The indexes are
// derived data: a refused script leaves them to the retry that follows.
func (s *Store) Persist(ctx context.Context, rec *Record, ch Change) (Persisted, error) {
	status, err := json.Marshal(ch.Summary)
	if err != nil {
		return Persisted{}, fmt.Errorf("ticketstore: encode status of %s: %w", rec.Key, err)
	}
	args := make([]any, 0, 5+2*len(ch.Issue))
	field, value := "", []byte(nil)
	if rec.added != nil {
		field, value = rec.added.field, rec.added.value
	}
	args = append(args, rec.Version, field, value, status, unixMilli(ch.NextCheck), len(ch.Issue))
	for _, is := range ch.Issue {
		b, err := json.Marshal(is.Write)
		if err != nil {
			return Persisted{}, fmt.Errorf("ticketstore: encode write %s of %s: %w", is.Mark, rec.Key, err)
		}
		args = append(args, is.Mark, b)
	}
	keys := []string{ticketHash(rec.Key)}
	var res *redis.Cmd
	run := func(p redis.Pipeliner) error {
		res = persistScript.EvalSha(ctx, p, keys, args...)
		if ch.BoardAt.IsZero() {
			p.ZRem(ctx, keyBoard, rec.Key)
		} else {
			p.ZAdd(ctx, keyBoard, redis.Z{Score: float64(ch.BoardAt.Unix()), Member: rec.Key})
		}
		return nil
	}
	_, err = s.rdb.Pipelined(ctx, run)
	if res != nil && redis.HasErrorPrefix(res.Err(), "NOSCRIPT") {
		// A Redis that restarted (or never saw the script): load it and go again.
		if err := persistScript.Load(ctx, s.rdb).Err(); err != nil {
			return Persisted{}, fmt.Errorf("ticketstore: persist %s: load script: %w", rec.Key, err)
		}
		_, err = s.rdb.Pipelined(ctx, run)
	}
	if err != nil && res != nil && res.Err() == nil {
		err = nil // only an index failed; the next evaluation repairs it
	}
	if err != nil {
		return Persisted{}, fmt.Errorf("ticketstore: persist %s: %w", rec.Key, err)
	}
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
