package ticketstore

import (
	"context"
	"errors"
)

// LoadMany reads the records of many tickets; a ticket the store has nothing of is
// absent from the map. The catch-up sync reads a page of tickets with it.
func (s *Store) LoadMany(ctx context.Context, ticketKeys []string) (map[string]*Record, error) {
	out := make(map[string]*Record, len(ticketKeys))
	for _, k := range ticketKeys {
		r, err := s.Load(ctx, k)
		if errors.Is(err, ErrNoTicket) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, nil
}
