package ticketstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// WriteLock is one worker's claim on writing a ticket's marks back: while it holds it, no
// other worker writes to that ticket, so marks go out once and in order. It expires by
// itself (ttl), so a worker killed while holding it blocks the ticket only that long.
type WriteLock struct {
	s     *Store
	key   string
	token string
	ttl   time.Duration
}

func writeLockKey(ticketKey string) string { return "slaguard:wlock:{" + ticketKey + "}" }

// LockWrites takes the ticket's write lock and reads its record in one round trip. It
// returns a nil lock (and no error) when another worker holds it.
func (s *Store) LockWrites(ctx context.Context, ticketKey string, ttl time.Duration) (*WriteLock, *Record, error) {
	return s.lock(ctx, writeLockKey(ticketKey), ticketKey, ttl)
}

// LockMark takes the lock of one mark that goes out apart from the ticket's helpdesk
// writes (a push notification: jobs records it written like a write-back) and reads the
// ticket's record in one round trip. A mark's lock never waits for the write lock, so a
// slow receiver of one mark holds up neither the helpdesk nor the other marks. It
// returns a nil lock (and no error) when another worker holds it.
func (s *Store) LockMark(ctx context.Context, ticketKey, mark string, ttl time.Duration) (*WriteLock, *Record, error) {
	return s.lock(ctx, "slaguard:mlock:{"+ticketKey+"}:"+mark, ticketKey, ttl)
}

func (s *Store) lock(ctx context.Context, lockKey, ticketKey string, ttl time.Duration) (*WriteLock, *Record, error) {
	l := &WriteLock{s: s, key: lockKey, token: rand.Text(), ttl: ttl}
	var set *redis.BoolCmd
	var all *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		set = p.SetNX(ctx, l.key, l.token, ttl)
		all = p.HGetAll(ctx, ticketHash(ticketKey))
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("ticketstore: lock %s: %w", lockKey, err)
	}
	if !set.Val() {
		return nil, nil, nil
	}
	if len(all.Val()) == 0 {
		l.Release(ctx)
		return nil, nil, ErrNoTicket
	}
	rec, err := parseRecord(ticketKey, all.Val())
	if err != nil {
		l.Release(ctx)
		return nil, nil, err
	}
	return l, rec, nil
}

// Extend renews the lock's ttl; it reports false when the lock was lost (expired and
// taken by another worker), after which the holder must stop writing.
func (l *WriteLock) Extend(ctx context.Context) (bool, error) {
	n, err := extendScript.Run(ctx, l.s.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("ticketstore: extend write lock: %w", err)
	}
	return n == 1, nil
}

// Release gives the lock up, if it is still the holder's.
func (l *WriteLock) Release(ctx context.Context) {
	releaseScript.Run(context.WithoutCancel(ctx), l.s.rdb, []string{l.key}, l.token)
}

var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
