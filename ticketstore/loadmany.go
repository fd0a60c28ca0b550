package ticketstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// LoadMany reads the records of many tickets in one pipelined round trip; a ticket the
// store has nothing of is absent from the map. The catch-up sync reads a page of tickets
// with it.
func (s *Store) LoadMany(ctx context.Context, ticketKeys []string) (map[string]*Record, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ticketKeys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range ticketKeys {
			cmds[i] = p.HGetAll(ctx, ticketHash(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ticketstore: load %d tickets: %w", len(ticketKeys), err)
	}
	out := make(map[string]*Record, len(ticketKeys))
	for i, k := range ticketKeys {
		m := cmds[i].Val()
		if len(m) == 0 {
			continue
		}
		r, err := parseRecord(k, m)
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
