package ticketstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// WriteLock is one worker's claim on writing a ticket's marks back: while it holds it, no
// other worker writes to that ticket, so marks go out once and in order. It expires by
// itself (ttl), so a worker killed while holding it blocks the ticket only that long.
type WriteLock struct {
	s         *Store
	key       string
	token     string
	ttl       time.Duration
	unsureKey string // the write lock's record of a holder that did not finish clean
	unsure    bool
}

func writeLockKey(ticketKey string) string { return "slaguard:wlock:{" + ticketKey + "}" }

// unsureKey exists from the moment a worker takes the ticket's write lock until a holder
// releases it clean (ReleaseClean): while it exists, a write may have reached the helpdesk
// without being recorded (a worker killed between the helpdesk's answer and the record,
// or a write that failed half way). It has no expiry: a mark left unwritten stays
// doubtful however long it waits. Same hash tag as the ticket's hash and its lock.
func unsureKey(ticketKey string) string { return writeLockKey(ticketKey) + ":unsure" }

// LockWrites takes the ticket's write lock and reads its record in one round trip. It
// returns a nil lock (and no error) when another worker holds it. The lock's Unsure
// reports whether the previous holder failed to release it clean.
func (s *Store) LockWrites(ctx context.Context, ticketKey string, ttl time.Duration) (*WriteLock, *Record, error) {
	l := &WriteLock{s: s, key: writeLockKey(ticketKey), token: rand.Text(), ttl: ttl, unsureKey: unsureKey(ticketKey)}
	v, err := lockWritesScript.Run(ctx, s.rdb, []string{l.key, l.unsureKey, ticketHash(ticketKey)},
		l.token, ttl.Milliseconds()).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("ticketstore: lock %s: %w", l.key, err)
	}
	if len(v) != 2 {
		return nil, nil, fmt.Errorf("ticketstore: lock %s: unexpected answer %v", l.key, v)
	}
	l.unsure = v[0] == int64(1)
	flat, _ := v[1].([]any)
	all := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		all[k], _ = flat[i+1].(string)
	}
	return s.locked(ctx, l, ticketKey, all)
}

// LockMark takes the lock of one mark that goes out apart from the ticket's helpdesk
// writes (a push notification: jobs records it written like a write-back) and reads the
// ticket's record in one round trip. A mark's lock never waits for the write lock, so a
// slow receiver of one mark holds up neither the helpdesk nor the other marks. It
// returns a nil lock (and no error) when another worker holds it. Its Unsure is false.
func (s *Store) LockMark(ctx context.Context, ticketKey, mark string, ttl time.Duration) (*WriteLock, *Record, error) {
	l := &WriteLock{s: s, key: "slaguard:mlock:{" + ticketKey + "}:" + mark, token: rand.Text(), ttl: ttl}
	var set *redis.BoolCmd
	var all *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		set = p.SetNX(ctx, l.key, l.token, ttl)
		all = p.HGetAll(ctx, ticketHash(ticketKey))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("ticketstore: lock %s: %w", l.key, err)
	}
	if !set.Val() {
		return nil, nil, nil
	}
	return s.locked(ctx, l, ticketKey, all.Val())
}

// locked parses the record read with a lock just taken; on failure it gives the lock up
// (not clean: an unsure lock stays unsure).
func (s *Store) locked(ctx context.Context, l *WriteLock, ticketKey string, all map[string]string) (*WriteLock, *Record, error) {
	if len(all) == 0 {
		l.Release(ctx)
		return nil, nil, ErrNoTicket
	}
	rec, err := parseRecord(ticketKey, all)
	if err != nil {
		l.Release(ctx)
		return nil, nil, err
	}
	return l, rec, nil
}

// Unsure reports whether, when this write lock was taken, a previous holder had not
// released it clean: it was killed, lost the lock, or its batch failed. A write of that
// holder may then have reached the helpdesk unrecorded, and the new holder must check
// the helpdesk before writing what is not idempotent (a note, a reply).
func (l *WriteLock) Unsure() bool { return l.unsure }

// Extend renews the lock's ttl; it reports false when the lock was lost (expired and
// taken by another worker), after which the holder must stop writing.
func (l *WriteLock) Extend(ctx context.Context) (bool, error) {
	n, err := extendScript.Run(ctx, l.s.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("ticketstore: extend write lock: %w", err)
	}
	return n == 1, nil
}

// Release gives the lock up, if it is still the holder's, leaving a write lock unsure:
// the next holder checks the helpdesk before writing notes and replies.
func (l *WriteLock) Release(ctx context.Context) {
	releaseScript.Run(context.WithoutCancel(ctx), l.s.rdb, []string{l.key}, l.token)
}

// ReleaseClean gives the lock up, if it is still the holder's, and records that every
// write the holder made is recorded: the next holder's lock is not Unsure. Call it only
// when the batch ended without error.
func (l *WriteLock) ReleaseClean(ctx context.Context) {
	if l.unsureKey == "" {
		l.Release(ctx)
		return
	}
	releaseCleanScript.Run(context.WithoutCancel(ctx), l.s.rdb, []string{l.key, l.unsureKey}, l.token)
}

// lockWritesScript: KEYS lock, unsure, ticket hash; ARGV token, ttl in ms. Nil when the
// lock is taken; else {1 if it was unsure, the ticket hash}.
var lockWritesScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local unsure = redis.call('EXISTS', KEYS[2])
if unsure == 0 then redis.call('SET', KEYS[2], '1') end
return {unsure, redis.call('HGETALL', KEYS[3])}`)

var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

var releaseCleanScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2]) end
return 0`)
