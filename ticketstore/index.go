package ticketstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// The indexes that find the open tickets a contract change touches, without scanning
// the board (each key its own cluster slot, so they are written in a plain pipeline):
//
//	slaguard:contract-open:{<contract id>}  SET of open tickets the contract covers
//	slaguard:open-by:{o:<organisation>}     SET of open tickets of an organisation (id or name, lowercased)
//	slaguard:open-by:{d:<domain>}           SET of open tickets whose customer's e-mail has the domain
//
// A ticket's hash keeps its entries in the field "ix" ("<contract id>|o:…|d:…"), so
// Reindex changes only what moved. A closed ticket is in none of them.

func contractOpenKey(contractID string) string { return "slaguard:contract-open:{" + contractID + "}" }
func openByKey(matchKey string) string         { return "slaguard:open-by:{" + matchKey + "}" }

// IndexEntry is what the indexes hold of a ticket: the contract that covers it ("" for
// none) and its match keys; "" when the ticket is closed.
func IndexEntry(open bool, contractID string, matchKeys []string) string {
	if !open {
		return ""
	}
	return contractID + "|" + strings.Join(matchKeys, "|")
}

func parseEntry(e string) (contractID string, keys []string) {
	if e == "" {
		return "", nil
	}
	parts := strings.Split(e, "|")
	for _, k := range parts[1:] {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return parts[0], keys
}

// Reindex moves a ticket from the index entry rec holds to entry, in one round trip, and
// records entry on the ticket last; nothing happens when they are equal.
func (s *Store) Reindex(ctx context.Context, rec *Record, entry string) error {
	if rec.Index == entry {
		return nil
	}
	oldC, oldKeys := parseEntry(rec.Index)
	newC, newKeys := parseEntry(entry)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if oldC != "" && oldC != newC {
			p.SRem(ctx, contractOpenKey(oldC), rec.Key)
		}
		for _, k := range oldKeys {
			if !contains(newKeys, k) {
				p.SRem(ctx, openByKey(k), rec.Key)
			}
		}
		if newC != "" {
			p.SAdd(ctx, contractOpenKey(newC), rec.Key)
		}
		for _, k := range newKeys {
			p.SAdd(ctx, openByKey(k), rec.Key)
		}
		if entry == "" {
			p.HDel(ctx, ticketHash(rec.Key), "ix")
		} else {
			p.HSet(ctx, ticketHash(rec.Key), "ix", entry)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ticketstore: index %s: %w", rec.Key, err)
	}
	rec.Index = entry
	return nil
}

// ContractTickets lists the open tickets a contract covers.
func (s *Store) ContractTickets(ctx context.Context, contractID string) ([]string, error) {
	ks, err := s.rdb.SMembers(ctx, contractOpenKey(contractID)).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: tickets of contract %s: %w", contractID, err)
	}
	return ks, nil
}

// CountContractTickets counts the open tickets a contract covers.
func (s *Store) CountContractTickets(ctx context.Context, contractID string) (int, error) {
	n, err := s.rdb.SCard(ctx, contractOpenKey(contractID)).Result()
	if err != nil {
		return 0, fmt.Errorf("ticketstore: count tickets of contract %s: %w", contractID, err)
	}
	return int(n), nil
}

// TicketsUnder lists the open tickets under any of the match keys (one round trip; the
// keys live in different slots, so one SMEMBERS each).
func (s *Store) TicketsUnder(ctx context.Context, matchKeys []string) ([]string, error) {
	keys := make([]string, len(matchKeys))
	for i, k := range matchKeys {
		keys[i] = openByKey(k)
	}
	out, err := s.membersOf(ctx, s.rdb, keys)
	if err != nil {
		return nil, fmt.Errorf("ticketstore: open tickets by customer: %w", err)
	}
	return out, nil
}

// OpenTickets lists every open ticket the customers' index knows, sorted: a scan of the
// open-by keys (on a cluster, of every master). For work that must reach all open
// tickets, with or without a contract (a rules reload); a ticket whose customer has
// neither organisation nor e-mail domain is in no index and not listed.
func (s *Store) OpenTickets(ctx context.Context) ([]string, error) {
	var mu sync.Mutex
	seen := map[string]bool{}
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		it := c.Scan(ctx, 0, "slaguard:open-by:*", 500).Iterator()
		var keys []string
		for it.Next(ctx) {
			keys = append(keys, it.Val())
		}
		if err := it.Err(); err != nil {
			return err
		}
		members, err := s.membersOf(ctx, c, keys)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, m := range members {
			seen[m] = true
		}
		return nil
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return nil, fmt.Errorf("ticketstore: open tickets: %w", err)
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

func (s *Store) membersOf(ctx context.Context, c redis.UniversalClient, keys []string) ([]string, error) {
	cmds := make([]*redis.StringSliceCmd, len(keys))
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.SMembers(ctx, k)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var out []string
	for _, cmd := range cmds {
		out = append(out, cmd.Val()...)
	}
	return out, nil
}
