package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/sla"
)

// ErrContention is returned when a write kept losing optimistic-lock races; retry later.
var ErrContention = errors.New("billing: too many concurrent writers")

const (
	keyPrefix  = "slaguard:billing:{ledger}:"
	closedKey  = keyPrefix + "closed"
	revField   = "#rev"
	maxRetries = 50
)

func linesKey(month string) string  { return keyPrefix + "month:" + month + ":lines" }
func frozenKey(month string) string { return keyPrefix + "month:" + month + ":frozen" }
func ticketKey(helpdesk, ticket string) string {
	return keyPrefix + "ticket:" + helpdesk + "|" + ticket
}

// Ledger is the billing ledger in Redis. It is safe for concurrent use, also by several
// processes: every write is an optimistic transaction that retries when it lost a race.
type Ledger struct {
	rdb            redis.UniversalClient
	implementation []string
}

// NewLedger returns the ledger stored in rdb. Time booked under one of
// implementationTypeIDs (the helpdesk's time-accounting type ids) is implementation work.
func NewLedger(rdb redis.UniversalClient, implementationTypeIDs []string) *Ledger {
	return &Ledger{rdb: rdb, implementation: append([]string(nil), implementationTypeIDs...)}
}

// SyncTicket makes the ledger hold exactly entries for the ticket, as the helpdesk has
// them now: new entries are added, changed ones updated, missing ones removed, each
// classified and priced under terms and billed to contractID. Entries are keyed by the
// helpdesk's entry id, so syncing the same list again changes nothing, and two workers
// syncing one ticket at once leave one line per entry. In a closed month nothing changes;
// differences go to adjustment lines in the month of now (see reconcile).
//
// It fails with ErrInvalidSource (changing nothing) when an entry cannot be keyed, and with
// ErrContention when it lost too many races.
func (l *Ledger) SyncTicket(ctx context.Context, helpdesk, ticketID, contractID string, terms sla.Terms, entries []Source, now time.Time) error {
	if helpdesk == "" || ticketID == "" || contractID == "" ||
		strings.ContainsAny(helpdesk+ticketID, "|") || strings.HasPrefix(helpdesk, "#") {
		return fmt.Errorf("%w: helpdesk %q, ticket %q, contract %q", ErrInvalidSource, helpdesk, ticketID, contractID)
	}
	desired := make(map[string]Entry, len(entries))
	for _, src := range entries {
		if err := checkSource(&src, helpdesk, ticketID); err != nil {
			return err
		}
		if _, dup := desired[src.EntryID]; dup {
			return fmt.Errorf("%w: entry %s twice", ErrInvalidSource, src.EntryID)
		}
		desired[src.EntryID] = price(src, contractID, terms, l.implementation)
	}
	tk := ticketKey(helpdesk, ticketID)
	for attempt := 0; attempt < maxRetries; attempt++ {
		err := l.rdb.Watch(ctx, func(tx *redis.Tx) error {
			return l.syncTx(ctx, tx, tk, desired, now)
		}, tk, closedKey)
		if errors.Is(err, redis.TxFailedErr) {
			backoff(ctx, attempt)
			continue
		}
		if err != nil {
			return fmt.Errorf("billing: sync %s ticket %s: %w", helpdesk, ticketID, err)
		}
		return nil
	}
	return fmt.Errorf("billing: sync %s ticket %s: %w", helpdesk, ticketID, ErrContention)
}

func (l *Ledger) syncTx(ctx context.Context, tx *redis.Tx, tk string, desired map[string]Entry, now time.Time) error {
	index, err := tx.HGetAll(ctx, tk).Result()
	if err != nil {
		return err
	}
	closed, err := l.closedMonths(ctx, tx)
	if err != nil {
		return err
	}
	delete(index, revField)
	existing, err := loadLines(ctx, tx, index)
	if err != nil {
		return err
	}
	puts, dels := reconcile(existing, desired, closed, now)
	if len(puts)+len(dels) == 0 {
		return nil
	}
	remaining := len(index)
	_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range dels {
			p.HDel(ctx, linesKey(e.month()), e.key())
			p.HDel(ctx, tk, e.key())
			remaining--
		}
		for _, e := range puts {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			k := e.key()
			if m, ok := index[k]; ok && m != e.month() {
				p.HDel(ctx, linesKey(m), k) // the booking date moved to another open month
			} else if !ok {
				remaining++
			}
			p.HSet(ctx, linesKey(e.month()), k, b)
			p.HSet(ctx, tk, k, e.month())
		}
		if remaining == 0 {
			p.Del(ctx, tk)
		} else {
			p.HIncrBy(ctx, tk, revField, 1)
		}
		return nil
	})
	return err
}

// loadLines reads the lines named by a ticket index (line key → month).
func loadLines(ctx context.Context, c redis.Cmdable, index map[string]string) ([]Entry, error) {
	byMonth := map[string][]string{}
	for k, m := range index {
		byMonth[m] = append(byMonth[m], k)
	}
	var out []Entry
	for m, keys := range byMonth {
		vals, err := c.HMGet(ctx, linesKey(m), keys...).Result()
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("line %s of %s is missing", keys[i], m)
			}
			var e Entry
			if err := json.Unmarshal([]byte(s), &e); err != nil {
				return nil, fmt.Errorf("line %s of %s: %w", keys[i], m, err)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// closedMonths returns the set of closed months.
func (l *Ledger) closedMonths(ctx context.Context, c redis.Cmdable) (map[string]bool, error) {
	h, err := c.HGetAll(ctx, closedKey).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(h))
	for m := range h {
		out[m] = true
	}
	return out, nil
}

// backoff waits a little, more after each lost race, with jitter so racers spread out.
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1+rand.IntN(1+min(attempt, 10)*2)) * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
