package ticketstore

import (
	"context"
	"fmt"
	"time"
)

// Timer is a ticket's next check as the store's timer index keeps it.
type Timer struct {
	Ticket string
	At     time.Time
}

// Timers lists every ticket's next check, earliest first: what a worker arms at start.
func (s *Store) Timers(ctx context.Context) ([]Timer, error) {
	z, err := s.rdb.ZRangeWithScores(ctx, keyOpen, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: read timers: %w", err)
	}
	out := make([]Timer, 0, len(z))
	for _, m := range z {
		k, _ := m.Member.(string)
		out = append(out, Timer{Ticket: k, At: time.UnixMilli(int64(m.Score)).UTC()})
	}
	return out, nil
}
