package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/sla"
)

const (
	keyCurrent = "slaguard:billing:current"
	keyClosed  = "slaguard:billing:closed"
)

func keyMonth(m string) string       { return "slaguard:billing:month:{" + m + "}" }
func keyFrozen(m string) string      { return "slaguard:billing:frozen:{" + m + "}" }
func keyTicket(hd, id string) string { return "slaguard:billing:ticket:{" + hd + ":" + id + "}" }

// keyTicketVersion is bumped by every change of a ticket's entries, so concurrent syncs
// of one ticket (WATCHing it) are serialised.
func keyTicketVersion(hd, id string) string { return keyTicket(hd, id) + ":v" }

// Errors callers branch on.
var (
	// ErrMonthOpen: the month is not over yet and cannot be closed.
	ErrMonthOpen = errors.New("billing: the month is not over yet")
	// ErrBadMonth: not a month like 2026-11.
	ErrBadMonth = errors.New("billing: not a month like 2026-11")
)

// Ledger is the billing ledger in Redis. It is safe for concurrent use, also by several
// processes: every change of a ticket's entries is one optimistic transaction.
type Ledger struct {
	rdb redis.UniversalClient
	// implementationTypes are time-accounting type ids billed as implementation.
	implementationTypes map[string]bool
}

// NewLedger returns the ledger on rdb; time booked under implementationTypes is billed
// as implementation.
func NewLedger(rdb redis.UniversalClient, implementationTypes []string) *Ledger {
	m := map[string]bool{}
	for _, t := range implementationTypes {
		m[t] = true
	}
	return &Ledger{rdb: rdb, implementationTypes: m}
}

// ParseMonth checks a "YYYY-MM" month.
func ParseMonth(m string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", m, vienna)
	if err != nil || len(m) != 7 {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadMonth, m)
	}
	return t, nil
}

// SyncTicket makes the ledger hold exactly the ticket's entries as the helpdesk has them
// now: new ones are added, edited ones updated, missing ones removed — keyed by the
// helpdesk's own entry id, so a re-read never adds one twice. Entries of a closed month
// are never touched: their changes become adjustments in the month of now.
func (l *Ledger) SyncTicket(ctx context.Context, helpdesk, ticketID, contractID string, terms sla.Terms, sources []Source, now time.Time) error {
	want := map[string]Entry{}
	for _, s := range sources {
		s.Helpdesk, s.TicketID = helpdesk, ticketID
		want[s.Key()] = Price(s, contractID, terms, l.implementationTypes)
	}
	tk := keyTicket(helpdesk, ticketID)
	tv := keyTicketVersion(helpdesk, ticketID)
	txf := func(tx *redis.Tx) error {
		known, err := tx.SMembers(ctx, tk).Result()
		if err != nil {
			return err
		}
		closed, err := tx.HGetAll(ctx, keyClosed).Result()
		if err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, k := range known {
			keys[k] = true
		}
		for k := range want {
			keys[k] = true
		}
		var ops []func(redis.Pipeliner)
		for k := range keys {
			cur, had, err := l.current(ctx, tx, k)
			if err != nil {
				return err
			}
			next, wanted := want[k]
			ops = append(ops, l.change(ctx, k, cur, had, next, wanted, closed, now)...)
		}
		if len(ops) == 0 {
			return nil
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, op := range ops {
				op(p)
			}
			p.Incr(ctx, tv)
			return nil
		})
		return err
	}
	for attempt := 0; attempt < 50; attempt++ {
		err := l.rdb.Watch(ctx, txf, tk, tv, keyClosed)
		if !errors.Is(err, redis.TxFailedErr) {
			if err != nil {
				return fmt.Errorf("billing: sync ticket %s:%s: %w", helpdesk, ticketID, err)
			}
			return nil
		}
	}
	return fmt.Errorf("billing: sync ticket %s:%s: too much contention", helpdesk, ticketID)
}

func (l *Ledger) current(ctx context.Context, tx *redis.Tx, key string) (Entry, bool, error) {
	raw, err := tx.HGet(ctx, keyCurrent, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, err
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return Entry{}, false, fmt.Errorf("billing: entry %s: %w", key, err)
	}
	return e, true, nil
}

// change returns the writes that move a source entry from cur (if had) to next (if
// wanted). Open months are rewritten in place; a closed month gets an adjustment.
func (l *Ledger) change(ctx context.Context, key string, cur Entry, had bool, next Entry, wanted bool, closed map[string]string, now time.Time) []func(redis.Pipeliner) {
	var ops []func(redis.Pipeliner)
	tk := keyTicket(next.Helpdesk, next.TicketID)
	if !wanted {
		tk = keyTicket(cur.Helpdesk, cur.TicketID)
	}
	switch {
	case !had && !wanted:
		return nil
	case had && wanted && sameMoney(cur, next) && cur.Title == next.Title && cur.TicketNumber == next.TicketNumber && cur.ContractName == next.ContractName:
		return nil
	}
	// Take the old version out of its month.
	if had {
		if _, isClosed := closed[cur.month()]; isClosed {
			if !wanted || !sameMoney(cur, next) {
				adj := adjustment(cur, negate(cur), "-", now)
				ops = append(ops, put(keyMonth(MonthOf(now)), adj))
			}
		} else {
			m, k := keyMonth(cur.month()), cur.Key
			ops = append(ops, func(p redis.Pipeliner) { p.HDel(ctx, m, k) })
		}
	}
	if wanted {
		if _, isClosed := closed[next.month()]; isClosed {
			if !had || !sameMoney(cur, next) {
				ops = append(ops, put(keyMonth(MonthOf(now)), adjustment(next, next, "+", now)))
			}
		} else {
			ops = append(ops, put(keyMonth(next.month()), next))
		}
		b, _ := json.Marshal(next)
		ops = append(ops, func(p redis.Pipeliner) {
			p.HSet(ctx, keyCurrent, key, b)
			p.SAdd(ctx, tk, key)
		})
	} else {
		ops = append(ops, func(p redis.Pipeliner) {
			p.HDel(ctx, keyCurrent, key)
			p.SRem(ctx, tk, key)
		})
	}
	return ops
}

// adjustment books delta (an entry's values, or their negation) in the month of now as a
// correction of src, whose own month is closed: a change is its old version taken out
// ("-") and its new version put in ("+"), so the export shows both.
func adjustment(src, delta Entry, sign string, now time.Time) Entry {
	a := delta
	a.Key = "adj:" + src.Key + ":" + strconv.FormatInt(now.UnixNano(), 36) + sign
	a.AdjustmentOf = src.Key
	a.AdjustedFromMonth = src.month()
	a.Date = dateOf(now)
	if delta.AmountCents < 0 || delta.BookedSeconds < 0 {
		a.Reason = "correction of a closed month: entry removed or changed (" + src.Date + ")"
	} else {
		a.Reason = "correction of a closed month: " + src.Reason + " (" + src.Date + ")"
	}
	return a
}

func negate(e Entry) Entry {
	e.BookedSeconds, e.BilledSeconds, e.AmountCents = -e.BookedSeconds, -e.BilledSeconds, -e.AmountCents
	return e
}

func put(hash string, e Entry) func(redis.Pipeliner) {
	b, _ := json.Marshal(e)
	return func(p redis.Pipeliner) { p.HSet(context.Background(), hash, e.Key, b) }
}
