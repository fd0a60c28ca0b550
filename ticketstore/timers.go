package ticketstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timer is a ticket's next check as the store keeps it.
type Timer struct {
	Ticket string
	At     time.Time
}

// Timers lists the next check of every ticket on the board (a ticket with a running
// clock is on it), in board order: what a worker arms at start. It reads the board and
// then each ticket's next check, a thousand per round trip.
func (s *Store) Timers(ctx context.Context) ([]Timer, error) {
	keys, err := s.rdb.ZRange(ctx, keyBoard, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: read the board: %w", err)
	}
	var out []Timer
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 1000)]
		keys = keys[len(chunk):]
		cmds := make([]*redis.StringCmd, len(chunk))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range chunk {
				cmds[i] = p.HGet(ctx, ticketHash(k), "n")
			}
			return nil
		})
		if err != nil && err != redis.Nil {
			return nil, fmt.Errorf("ticketstore: read timers: %w", err)
		}
		for i, c := range cmds {
			ms, err := strconv.ParseInt(c.Val(), 10, 64)
			if err == nil && ms > 0 {
				out = append(out, Timer{Ticket: chunk[i], At: time.UnixMilli(ms).UTC()})
			}
		}
	}
	return out, nil
}
