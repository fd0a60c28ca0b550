package ticketstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A ticket's timer is its score in slaguard:open: the wall-clock instant (unix ms) of its
// next check. Persist sets it with every evaluation; ClaimDue hands due tickets to one
// worker and pushes their timers back by a lease, so a worker that dies with a claim in
// hand only delays the check by the lease.

// Due is a ticket whose check is due, and the instant its timer was set to.
type Due struct {
	Ticket string
	At     time.Time // wall clock
}

// ClaimDue claims up to limit tickets whose timer is at or before now, earliest first,
// and moves their timers to now+lease, in one round trip.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Due, error) {
	res, err := claimScript.Run(ctx, s.rdb, []string{keyOpen},
		now.UnixMilli(), limit, now.Add(lease).UnixMilli()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: claim due timers: %w", err)
	}
	out := make([]Due, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		ms, _ := strconv.ParseFloat(res[i+1], 64)
		out = append(out, Due{Ticket: res[i], At: time.UnixMilli(int64(ms))})
	}
	return out, nil
}

var claimScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due, 2 do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], due[i]) end
return due`)

// NextTimer is the earliest timer of any ticket (zero when none is set).
func (s *Store) NextTimer(ctx context.Context) (time.Time, error) {
	z, err := s.rdb.ZRangeWithScores(ctx, keyOpen, 0, 0).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("ticketstore: next timer: %w", err)
	}
	if len(z) == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(int64(z[0].Score)), nil
}

// WithoutTimer lists tickets on the board that have no timer: timers lost while their
// tickets were kept (a partial restore). Re-evaluating them sets their timers again.
func (s *Store) WithoutTimer(ctx context.Context) ([]string, error) {
	keys, err := s.rdb.ZRange(ctx, keyBoard, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: read the board: %w", err)
	}
	var out []string
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		scores, err := s.rdb.ZMScore(ctx, keyOpen, keys[:n]...).Result()
		if err != nil {
			return nil, fmt.Errorf("ticketstore: read timers: %w", err)
		}
		for i, sc := range scores {
			if sc == 0 {
				out = append(out, keys[i])
			}
		}
		keys = keys[n:]
	}
	return out, nil
}
