package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/sla"
)

// Closing says that a month is closed and since when.
type Closing struct {
	Month    string    `json:"month"`
	Closed   bool      `json:"closed"`
	ClosedAt time.Time `json:"closed_at"`
}

// snapshot is what closing a month freezes: its lines as they were, and when.
type snapshot struct {
	ClosedAt time.Time `json:"closed_at"`
	Entries  []Entry   `json:"entries"`
}

// Close freezes month ("YYYY-MM"): from now on its export is always the same bytes, and
// changes to its entries go to adjustment lines of a later month. Closing a closed month
// changes nothing and returns its first closing. It fails with ErrBadMonth for a malformed
// month and ErrMonthNotOver when month is not before the month of now (Europe/Vienna).
func (l *Ledger) Close(ctx context.Context, month string, now time.Time) (Closing, error) {
	if _, err := parseMonth(month); err != nil {
		return Closing{}, err
	}
	var out Closing
	for attempt := 0; attempt < maxRetries; attempt++ {
		err := l.rdb.Watch(ctx, func(tx *redis.Tx) error {
			c, ok, err := closing(ctx, tx, month)
			if err != nil || ok {
				out = c
				return err
			}
			if month >= sla.Month(now) {
				return fmt.Errorf("%w: %s (now is %s)", ErrMonthNotOver, month, sla.Month(now))
			}
			h, err := tx.HGetAll(ctx, linesKey(month)).Result()
			if err != nil {
				return err
			}
			snap := snapshot{ClosedAt: now.UTC().Truncate(time.Second), Entries: make([]Entry, 0, len(h))}
			for k, v := range h {
				var e Entry
				if err := json.Unmarshal([]byte(v), &e); err != nil {
					return fmt.Errorf("line %s: %w", k, err)
				}
				snap.Entries = append(snap.Entries, e)
			}
			sortEntries(snap.Entries)
			b, err := json.Marshal(snap)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, frozenKey(month), b, 0)
				p.HSet(ctx, closedKey, month, snap.ClosedAt.Format(time.RFC3339))
				return nil
			})
			out = Closing{Month: month, Closed: true, ClosedAt: snap.ClosedAt}
			return err
		}, closedKey, linesKey(month))
		if errors.Is(err, redis.TxFailedErr) {
			backoff(ctx, attempt)
			continue
		}
		if errors.Is(err, ErrMonthNotOver) {
			return Closing{}, err
		}
		if err != nil {
			return Closing{}, fmt.Errorf("billing: close %s: %w", month, err)
		}
		return out, nil
	}
	return Closing{}, fmt.Errorf("billing: close %s: %w", month, ErrContention)
}

// closing reads whether month is closed.
func closing(ctx context.Context, c redis.Cmdable, month string) (Closing, bool, error) {
	v, err := c.HGet(ctx, closedKey, month).Result()
	if errors.Is(err, redis.Nil) {
		return Closing{Month: month}, false, nil
	}
	if err != nil {
		return Closing{}, false, err
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return Closing{}, false, fmt.Errorf("closing of %s: %w", month, err)
	}
	return Closing{Month: month, Closed: true, ClosedAt: at}, true, nil
}
