package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// Total is time and money of a group of entries.
type Total struct {
	BookedSeconds int64 `json:"booked_seconds"`
	BilledSeconds int64 `json:"billed_seconds"`
	AmountCents   int64 `json:"amount_cents"`
}

func (t *Total) add(e Entry) {
	t.BookedSeconds += e.BookedSeconds
	t.BilledSeconds += e.BilledSeconds
	t.AmountCents += e.AmountCents
}

// ContractTotals are one contract's totals, per category and overall.
type ContractTotals struct {
	ContractID   string             `json:"contract_id"`
	ContractName string             `json:"contract_name,omitempty"`
	ByCategory   map[Category]Total `json:"by_category"`
	Total        Total              `json:"total"`
}

// Export is a month's billing: every entry, and the totals per contract, per category
// and overall. Entries are in a fixed order: contract, date, ticket, entry.
type Export struct {
	Month      string             `json:"month"`
	ContractID string             `json:"contract_id,omitempty"`
	Closed     bool               `json:"closed"`
	ClosedAt   *time.Time         `json:"closed_at,omitempty"`
	Entries    []Entry            `json:"entries"`
	Contracts  []ContractTotals   `json:"contracts"`
	ByCategory map[Category]Total `json:"by_category"`
	Total      Total              `json:"total"`
}

// newExport sorts entries and adds them up.
func newExport(month string, entries []Entry) Export {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.ContractID != b.ContractID {
			return a.ContractID < b.ContractID
		}
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		if a.TicketID != b.TicketID {
			return a.TicketID < b.TicketID
		}
		return a.Key < b.Key
	})
	x := Export{Month: month, Entries: entries, Contracts: []ContractTotals{}, ByCategory: map[Category]Total{}}
	if x.Entries == nil {
		x.Entries = []Entry{}
	}
	for _, e := range entries {
		if n := len(x.Contracts); n == 0 || x.Contracts[n-1].ContractID != e.ContractID {
			x.Contracts = append(x.Contracts, ContractTotals{ContractID: e.ContractID, ContractName: e.ContractName, ByCategory: map[Category]Total{}})
		}
		c := &x.Contracts[len(x.Contracts)-1]
		if c.ContractName == "" {
			c.ContractName = e.ContractName
		}
		t := c.ByCategory[e.Category]
		t.add(e)
		c.ByCategory[e.Category] = t
		c.Total.add(e)
		g := x.ByCategory[e.Category]
		g.add(e)
		x.ByCategory[e.Category] = g
		x.Total.add(e)
	}
	return x
}

// only narrows an export to one contract (its totals recomputed from its entries).
func (x Export) only(contractID string) Export {
	var es []Entry
	for _, e := range x.Entries {
		if e.ContractID == contractID {
			es = append(es, e)
		}
	}
	y := newExport(x.Month, es)
	y.ContractID, y.Closed, y.ClosedAt = contractID, x.Closed, x.ClosedAt
	return y
}

// Export returns a month's billing, of one contract or (contractID "") of all. A closed
// month is answered from its frozen copy: the same bytes, whatever changed since.
func (l *Ledger) Export(ctx context.Context, month, contractID string) (Export, error) {
	if _, err := ParseMonth(month); err != nil {
		return Export{}, err
	}
	x, err := l.frozen(ctx, month)
	if errors.Is(err, redis.Nil) {
		x, err = l.live(ctx, month)
	}
	if err != nil {
		return Export{}, err
	}
	if contractID != "" {
		return x.only(contractID), nil
	}
	return x, nil
}

func (l *Ledger) frozen(ctx context.Context, month string) (Export, error) {
	raw, err := l.rdb.Get(ctx, keyFrozen(month)).Bytes()
	if err != nil {
		return Export{}, err
	}
	var x Export
	if err := json.Unmarshal(raw, &x); err != nil {
		return Export{}, fmt.Errorf("billing: frozen %s: %w", month, err)
	}
	return x, nil
}

func (l *Ledger) live(ctx context.Context, month string) (Export, error) {
	m, err := l.rdb.HGetAll(ctx, keyMonth(month)).Result()
	if err != nil {
		return Export{}, fmt.Errorf("billing: read %s: %w", month, err)
	}
	entries := make([]Entry, 0, len(m))
	for k, v := range m {
		var e Entry
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			return Export{}, fmt.Errorf("billing: entry %s of %s: %w", k, month, err)
		}
		entries = append(entries, e)
	}
	return newExport(month, entries), nil
}

// Close freezes a month that is over: its export never changes afterwards, and later
// changes of its entries appear as adjustments in the month they happen. Closing a
// closed month again returns it unchanged; the current or a future month cannot be
// closed (ErrMonthOpen).
func (l *Ledger) Close(ctx context.Context, month string, now time.Time) (Export, error) {
	if _, err := ParseMonth(month); err != nil {
		return Export{}, err
	}
	if month >= MonthOf(now) {
		return Export{}, fmt.Errorf("%w: %s ends after %s", ErrMonthOpen, month, MonthOf(now))
	}
	var out Export
	txf := func(tx *redis.Tx) error {
		x, err := l.frozen(ctx, month)
		if err == nil {
			out = x
			return nil
		}
		if !errors.Is(err, redis.Nil) {
			return err
		}
		x, err = l.live(ctx, month)
		if err != nil {
			return err
		}
		at := now.UTC()
		x.Closed, x.ClosedAt = true, &at
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, keyFrozen(month), b, 0)
			p.HSet(ctx, keyClosed, month, at.Format(time.RFC3339))
			return nil
		})
		out = x
		return err
	}
	for attempt := 0; attempt < 50; attempt++ {
		err := l.rdb.Watch(ctx, txf, keyMonth(month), keyFrozen(month))
		if !errors.Is(err, redis.TxFailedErr) {
			if err != nil {
				return Export{}, fmt.Errorf("billing: close %s: %w", month, err)
			}
			return out, nil
		}
	}
	return Export{}, fmt.Errorf("billing: close %s: too much contention", month)
}
