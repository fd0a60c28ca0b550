package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Export is a month's ledger: its lines in a fixed order and their totals per category,
// per contract and overall. The export of a closed month never changes.
type Export struct {
	Month string `json:"month"`
	// ContractID is set when the export is for one contract only.
	ContractID string     `json:"contract_id,omitempty"`
	Closed     bool       `json:"closed"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	// Entries are ordered by contract, date, helpdesk, ticket id, entry id (numerically
	// where ids are numbers), the entry's own line before its adjustments.
	Entries    []Entry          `json:"entries"`
	Contracts  []ContractTotals `json:"contracts"`
	ByCategory []CategorySum    `json:"by_category"`
	Total      Sum              `json:"total"`
}

// Sum adds up lines. Minutes are the seconds written as decimals for reading.
type Sum struct {
	Entries       int         `json:"entries"`
	BookedSeconds int64       `json:"booked_seconds"`
	BilledSeconds int64       `json:"billed_seconds"`
	BookedMinutes json.Number `json:"booked_minutes"`
	BilledMinutes json.Number `json:"billed_minutes"`
	AmountCents   int64       `json:"amount_cents"`
}

// CategorySum is the sum of one category's lines.
type CategorySum struct {
	Category Category `json:"category"`
	Sum
}

// ContractTotals are the sums of one contract's lines; ByCategory lists every category.
type ContractTotals struct {
	ContractID   string        `json:"contract_id"`
	ContractName string        `json:"contract_name"`
	ByCategory   []CategorySum `json:"by_category"`
	Total        Sum           `json:"total"`
}

// Export returns the export of month ("YYYY-MM"), of every contract when contractID is
// empty, else of that contract only (empty, not an error, when it has no lines). It fails
// with ErrBadMonth for a malformed month.
func (l *Ledger) Export(ctx context.Context, month, contractID string) (Export, error) {
	if _, err := parseMonth(month); err != nil {
		return Export{}, err
	}
	c, closed, err := closing(ctx, l.rdb, month)
	if err != nil {
		return Export{}, fmt.Errorf("billing: export %s: %w", month, err)
	}
	var entries []Entry
	if closed {
		b, err := l.rdb.Get(ctx, frozenKey(month)).Bytes()
		if errors.Is(err, redis.Nil) {
			return Export{}, fmt.Errorf("billing: export %s: closed but its snapshot is missing", month)
		}
		if err != nil {
			return Export{}, fmt.Errorf("billing: export %s: %w", month, err)
		}
		var s snapshot
		if err := json.Unmarshal(b, &s); err != nil {
			return Export{}, fmt.Errorf("billing: export %s: snapshot: %w", month, err)
		}
		entries = s.Entries
	} else {
		h, err := l.rdb.HGetAll(ctx, linesKey(month)).Result()
		if err != nil {
			return Export{}, fmt.Errorf("billing: export %s: %w", month, err)
		}
		for k, v := range h {
			var e Entry
			if err := json.Unmarshal([]byte(v), &e); err != nil {
				return Export{}, fmt.Errorf("billing: export %s: line %s: %w", month, k, err)
			}
			entries = append(entries, e)
		}
	}
	x := build(month, contractID, entries)
	if closed {
		at := c.ClosedAt
		x.Closed, x.ClosedAt = true, &at
	}
	return x, nil
}

// build orders entries (of contractID only, when set) and sums them up.
func build(month, contractID string, entries []Entry) Export {
	x := Export{Month: month, ContractID: contractID, Entries: []Entry{}, Contracts: []ContractTotals{}}
	for _, e := range entries {
		if contractID == "" || e.ContractID == contractID {
			x.Entries = append(x.Entries, e)
		}
	}
	sortEntries(x.Entries)
	var all []Entry
	for i := 0; i < len(x.Entries); {
		j := i
		for j < len(x.Entries) && x.Entries[j].ContractID == x.Entries[i].ContractID {
			j++
		}
		group := x.Entries[i:j]
		x.Contracts = append(x.Contracts, ContractTotals{
			ContractID: group[0].ContractID, ContractName: group[len(group)-1].ContractName,
			ByCategory: byCategory(group), Total: sumOf(group),
		})
		all = append(all, group...)
		i = j
	}
	x.ByCategory, x.Total = byCategory(all), sumOf(all)
	return x
}

func byCategory(es []Entry) []CategorySum {
	out := make([]CategorySum, 0, len(Categories))
	for _, c := range Categories {
		var in []Entry
		for _, e := range es {
			if e.Category == c {
				in = append(in, e)
			}
		}
		out = append(out, CategorySum{Category: c, Sum: sumOf(in)})
	}
	return out
}

func sumOf(es []Entry) Sum {
	var s Sum
	for _, e := range es {
		s.Entries++
		s.BookedSeconds += e.BookedSeconds
		s.BilledSeconds += e.BilledSeconds
		s.AmountCents += e.AmountCents
	}
	s.BookedMinutes = json.Number(minutesText(s.BookedSeconds, "."))
	s.BilledMinutes = json.Number(minutesText(s.BilledSeconds, "."))
	return s
}

// sortEntries puts lines in export order; the order is total, so exports are stable.
func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		switch {
		case a.ContractID != b.ContractID:
			return a.ContractID < b.ContractID
		case a.Date != b.Date:
			return a.Date < b.Date
		case a.Helpdesk != b.Helpdesk:
			return a.Helpdesk < b.Helpdesk
		case a.TicketID != b.TicketID:
			return idLess(a.TicketID, b.TicketID)
		case a.EntryID != b.EntryID:
			return idLess(a.EntryID, b.EntryID)
		case a.AdjustmentOf != b.AdjustmentOf:
			return a.AdjustmentOf < b.AdjustmentOf
		}
		return rank(a.Category) < rank(b.Category)
	})
}

// idLess orders numeric ids numerically and before other ids, which order as strings.
func idLess(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil && x != y:
		return x < y
	case (errA == nil) != (errB == nil):
		return errA == nil
	}
	return a < b
}
