package ticketstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/sla"
)

// The quota of a contract is one sorted set per Vienna month of the tickets counted
// against it, scored by creation time (ms):
//
//	slaguard:quota:{<contract id>}:2026-11
func quotaKey(contractID, month string) string {
	return "slaguard:quota:{" + contractID + "}:" + month
}

// CountQuota counts the ticket against its contract's quota of its creation month
// (idempotently: a ticket is counted once, however often it is evaluated) and returns
// its 1-based place among that month's tickets in order of creation.
func (s *Store) CountQuota(ctx context.Context, contractID, ticketKey string, created time.Time) (int, error) {
	ps, err := s.CountQuotas(ctx, []QuotaEntry{{ContractID: contractID, Ticket: ticketKey, Created: created, Counts: true}})
	if err != nil {
		return 0, err
	}
	return ps[0], nil
}

// QuotaEntry is a ticket's entry in its contract's month: in the quota when it Counts,
// else among the month's uncounted tickets (NoteUncounted).
type QuotaEntry struct {
	ContractID string
	Ticket     string
	Created    time.Time
	Counts     bool
}

// CountQuotas records many tickets in their contracts' months in one round trip, each
// once however often it is recorded, and returns the 1-based place in its quota of each
// ticket that counts (0 for the others), as of after all of them were recorded.
func (s *Store) CountQuotas(ctx context.Context, es []QuotaEntry) ([]int, error) {
	ranks := make([]*redis.IntCmd, len(es))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range es {
			z := redis.Z{Score: float64(e.Created.UnixMilli()), Member: e.Ticket}
			if e.Counts {
				p.ZAddNX(ctx, quotaKey(e.ContractID, sla.Month(e.Created)), z)
			} else {
				p.ZAddNX(ctx, monthKey(e.ContractID, sla.Month(e.Created)), z)
			}
		}
		for i, e := range es {
			if e.Counts {
				ranks[i] = p.ZRank(ctx, quotaKey(e.ContractID, sla.Month(e.Created)), e.Ticket)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ticketstore: count %d tickets in their quotas: %w", len(es), err)
	}
	out := make([]int, len(es))
	for i, r := range ranks {
		if r != nil {
			out[i] = int(r.Val()) + 1
		}
	}
	return out, nil
}

// Usage is a contract's quota use in one month.
type Usage struct {
	ContractID string   `json:"contract_id"`
	Month      string   `json:"month"`
	Included   int      `json:"included"`
	Used       int      `json:"used"`
	OverQuota  int      `json:"over_quota"`
	Tickets    []string `json:"tickets"`
}

// QuotaUsage reads how many tickets a contract has counted in a month, in order.
func (s *Store) QuotaUsage(ctx context.Context, contractID, month string, included int) (Usage, error) {
	ids, err := s.rdb.ZRange(ctx, quotaKey(contractID, month), 0, -1).Result()
	if err != nil {
		return Usage{}, fmt.Errorf("ticketstore: read quota of %s %s: %w", contractID, month, err)
	}
	u := Usage{ContractID: contractID, Month: month, Included: included, Used: len(ids), Tickets: ids}
	if u.Tickets == nil {
		u.Tickets = []string{}
	}
	if over := len(ids) - included; over > 0 {
		u.OverQuota = over
	}
	return u, nil
}

// QuotaPosition is the ticket's 1-based place among its contract's tickets of its
// creation month, without counting it: its rank when counted, else the place it would
// take. It never writes.
func (s *Store) QuotaPosition(ctx context.Context, contractID, ticketKey string, created time.Time) (int, error) {
	k := quotaKey(contractID, sla.Month(created))
	var rank *redis.IntCmd
	var before *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rank = p.ZRank(ctx, k, ticketKey)
		before = p.ZCount(ctx, k, "-inf", strconv.FormatInt(created.UnixMilli(), 10))
		return nil
	})
	if err == nil || errors.Is(err, redis.Nil) {
		if r, err := rank.Result(); err == nil {
			return int(r) + 1, nil
		}
		if n, err := before.Result(); err == nil {
			return int(n) + 1, nil
		}
	}
	return 0, fmt.Errorf("ticketstore: read quota position of %s: %w", ticketKey, err)
}

// The tickets of a contract's month that do not count against its quota (change requests,
// and every ticket of a contract without quota) are in a sorted set of their own, scored
// like the quota's; with the quota set, they are every ticket the contract had that month
// (the monthly report reads both):
//
//	slaguard:month:{<contract id>}:2026-11
func monthKey(contractID, month string) string {
	return "slaguard:month:{" + contractID + "}:" + month
}

// NoteUncounted records a ticket of the contract that does not count against its quota
// under its creation month (idempotently).
func (s *Store) NoteUncounted(ctx context.Context, contractID, ticketKey string, created time.Time) error {
	k := monthKey(contractID, sla.Month(created))
	if err := s.rdb.ZAddNX(ctx, k, redis.Z{Score: float64(created.UnixMilli()), Member: ticketKey}).Err(); err != nil {
		return fmt.Errorf("ticketstore: note %s in %s: %w", ticketKey, k, err)
	}
	return nil
}

// MonthTickets lists every ticket the contract had in month (counted against its quota
// or not), in order of creation, in one round trip.
func (s *Store) MonthTickets(ctx context.Context, contractID, month string) ([]string, error) {
	var counted, other *redis.ZSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { // one slot: {contract id}
		counted = p.ZRangeWithScores(ctx, quotaKey(contractID, month), 0, -1)
		other = p.ZRangeWithScores(ctx, monthKey(contractID, month), 0, -1)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ticketstore: tickets of %s in %s: %w", contractID, month, err)
	}
	seen := map[string]bool{}
	all := append(counted.Val(), other.Val()...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score < all[j].Score })
	out := make([]string, 0, len(all))
	for _, z := range all {
		k, _ := z.Member.(string)
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}
