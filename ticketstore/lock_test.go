package ticketstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/redistest"
)

// A write lock is Unsure when the holder before did not release it clean: it released
// it after a failure, or it died and the lock expired. A clean release clears it.
func TestWriteLockIsUnsureAfterAHolderThatDidNotFinishClean(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	l := New(rdb)
	appendEvent(t, l, twentyEvents()[0])
	const key = "zammad:4711"
	take := func(step string) *WriteLock {
		t.Helper()
		lk, rec, err := l.LockWrites(ctx, key, time.Minute)
		if err != nil || lk == nil || len(rec.Events) != 1 {
			t.Fatalf("%s: lock %v %v %v", step, lk, rec, err)
		}
		return lk
	}
	steps := []struct {
		name   string
		unsure bool
		end    func(*WriteLock)
	}{
		{"fresh", false, func(lk *WriteLock) { lk.Release(ctx) }},
		{"after a release on failure", true, func(lk *WriteLock) { lk.ReleaseClean(ctx) }},
		{"after a clean release", false, func(*WriteLock) { rdb.Del(ctx, writeLockKey(key)) }}, // killed: the lock expires
		{"after the holder died", true, func(lk *WriteLock) { lk.ReleaseClean(ctx) }},
		{"after a clean release again", false, func(lk *WriteLock) { lk.ReleaseClean(ctx) }},
	}
	for _, s := range steps {
		lk := take(s.name)
		if lk.Unsure() != s.unsure {
			t.Errorf("%s: Unsure() = %v, want %v", s.name, lk.Unsure(), s.unsure)
		}
		s.end(lk)
	}
	if n := rdb.Exists(ctx, writeLockKey(key), unsureKey(key)).Val(); n != 0 {
		t.Errorf("%d lock keys left after a clean release", n)
	}
}

// A lock that was lost (expired, taken by another) is not cleared by its old holder's
// clean release: the new holder's writes are not the old holder's to vouch for.
func TestACleanReleaseOfALostLockChangesNothing(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	l := New(rdb)
	appendEvent(t, l, twentyEvents()[0])
	const key = "zammad:4711"
	old, _, _ := l.LockWrites(ctx, key, time.Minute)
	rdb.Del(ctx, writeLockKey(key))
	cur, _, _ := l.LockWrites(ctx, key, time.Minute)
	if cur == nil || !cur.Unsure() {
		t.Fatalf("taken after expiry: %v", cur)
	}
	old.ReleaseClean(ctx)
	if n := rdb.Exists(ctx, writeLockKey(key), unsureKey(key)).Val(); n != 2 {
		t.Errorf("the old holder's clean release removed %d of the new holder's keys", 2-n)
	}
}

// Taking the write lock stays one round trip to Redis (the lock, the unsure flag and the
// record in one script).
func TestLockWritesIsOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	l := New(rdb)
	appendEvent(t, l, twentyEvents()[0])
	lk, _, err := l.LockWrites(ctx, "zammad:4711", time.Minute) // loads the script
	if err != nil || lk == nil {
		t.Fatal(lk, err)
	}
	lk.ReleaseClean(ctx)
	var calls atomic.Int64
	rdb.AddHook(countHook{&calls})
	lk, _, err = l.LockWrites(ctx, "zammad:4711", time.Minute)
	if err != nil || lk == nil {
		t.Fatal(lk, err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("LockWrites made %d round trips, want 1", n)
	}
	calls.Store(0)
	lk.ReleaseClean(ctx)
	if n := calls.Load(); n != 1 {
		t.Errorf("ReleaseClean made %d round trips, want 1", n)
	}
}

type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}
