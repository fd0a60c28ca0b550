package ticketstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
)

// The ticket log keeps all of one ticket in one Redis hash, so a small ticket stays in
// Redis's compact listpack encoding and a cluster keeps it in one slot ({…} hash tag):
//
//	slaguard:ticket:{zammad:4711}
//	  e:<updated_at unix nanos>:<article id>  one event (compact JSON), written once
//	  w:<mark key>                            when the mark was written back (unix ms)
//	  i:<mark key>                            the order in which the mark was first issued
//	  seq                                     the issue counter
//	  status                                  the last evaluated status (JSON), for the API
//	  ta                                      the time-accounting ids last synced
//
// Index keys: slaguard:open (ZSET ticket → next check, unix s), slaguard:board (ZSET
// ticket → earliest open deadline, unix s).
const (
	keyOpen  = "slaguard:open"
	keyBoard = "slaguard:board"
)

// maxBodyStored bounds the article text kept in the log: enough for the priority rules
// (they read the title and the start of the first article), small enough for the
// memory budget of an open ticket.
const maxBodyStored = 320

// TicketKey is the stable name of a ticket across slaguard: "zammad:4711".
func Key(helpdeskName, id string) string { return helpdeskName + ":" + id }

func ticketHash(ticketKey string) string { return "slaguard:ticket:{" + ticketKey + "}" }

// SplitTicketKey is TicketKey's inverse.
func SplitKey(k string) (helpdeskName, id string, ok bool) {
	return strings.Cut(k, ":")
}

// eventField is the identity of an event in its ticket's log: the snapshot time and the
// article. A redelivery under a new delivery id lands on the same field.
func eventField(ev helpdesk.Event) string {
	art := "-"
	if ev.Article != nil && ev.Article.ID != "" {
		art = ev.Article.ID
	}
	return "e:" + strconv.FormatInt(ev.Ticket.UpdatedAt.UnixNano(), 10) + ":" + art
}

// compact drops what the log need not keep: article bodies beyond maxBodyStored, and
// every article body but a customer's (only the first one is read by the rules).
func compact(ev helpdesk.Event) helpdesk.Event {
	// Delivery facts are spent once the event is in the log: the log's own key dedups.
	ev.DeliveryID, ev.Trigger, ev.ReceivedAt = "", "", time.Time{}
	if ev.Article != nil {
		a := *ev.Article
		if a.Sender != helpdesk.SenderCustomer {
			a.Body = ""
		}
		a.Body = truncate(a.Body, maxBodyStored)
		ev.Article = &a
	}
	return ev
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Store is the ticket store in Redis: each ticket's event log, marks, status and the
// indexes over them. It is safe for concurrent use by any number of processes.
type Store struct {
	rdb redis.UniversalClient
}

// New returns the ticket store on rdb.
func New(rdb redis.UniversalClient) *Store { return &Store{rdb: rdb} }

// Append stores ev in its ticket's log unless an event with the same identity is there;
// it reports whether ev was new. Appending twice is a no-op.
func (s *Store) Append(ctx context.Context, ev helpdesk.Event) (bool, error) {
	b, err := json.Marshal(store(compact(ev)))
	if err != nil {
		return false, fmt.Errorf("ticketstore: encode event: %w", err)
	}
	k := Key(ev.Helpdesk, ev.Ticket.ID)
	added, err := s.rdb.HSetNX(ctx, ticketHash(k), eventField(ev), b).Result()
	if err != nil {
		return false, fmt.Errorf("ticketstore: append event of %s: %w", k, err)
	}
	return added, nil
}

// Record is everything the log holds of one ticket.
type Record struct {
	Key     string
	Events  []helpdesk.Event // sorted by updated_at, then article id
	Written map[string]time.Time
	Issued  map[string]int64
	Status  json.RawMessage
	TimeIDs string
}

// ErrNoTicket: the log has nothing of that ticket.
var ErrNoTicket = errors.New("ticketstore: no such ticket")

// Load reads a ticket's whole log.
func (s *Store) Load(ctx context.Context, ticketKey string) (*Record, error) {
	m, err := s.rdb.HGetAll(ctx, ticketHash(ticketKey)).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: load %s: %w", ticketKey, err)
	}
	if len(m) == 0 {
		return nil, ErrNoTicket
	}
	r := &Record{Key: ticketKey, Written: map[string]time.Time{}, Issued: map[string]int64{}}
	hd, id, _ := SplitKey(ticketKey)
	for f, v := range m {
		switch {
		case strings.HasPrefix(f, "e:"):
			var se storedEvent
			if err := json.Unmarshal([]byte(v), &se); err != nil {
				return nil, fmt.Errorf("ticketstore: load %s: event %s: %w", ticketKey, f, err)
			}
			r.Events = append(r.Events, se.event(hd, id))
		case strings.HasPrefix(f, "w:"):
			ms, _ := strconv.ParseInt(v, 10, 64)
			r.Written[f[2:]] = time.UnixMilli(ms).UTC()
		case strings.HasPrefix(f, "i:"):
			n, _ := strconv.ParseInt(v, 10, 64)
			r.Issued[f[2:]] = n
		case f == "status":
			r.Status = json.RawMessage(v)
		case f == "ta":
			r.TimeIDs = v
		}
	}
	sort.Slice(r.Events, func(i, j int) bool { return eventLess(r.Events[i], r.Events[j]) })
	return r, nil
}

func eventLess(a, b helpdesk.Event) bool {
	if !a.Ticket.UpdatedAt.Equal(b.Ticket.UpdatedAt) {
		return a.Ticket.UpdatedAt.Before(b.Ticket.UpdatedAt)
	}
	return ArticleID(a) < ArticleID(b)
}

// ArticleID is the id of the event's article, "" when it has none.
func ArticleID(ev helpdesk.Event) string {
	if ev.Article == nil {
		return ""
	}
	return ev.Article.ID
}

// Issue records that a mark was asked for, once: the first call fixes its place in the
// ticket's write order. It reports the mark's sequence number.
func (s *Store) Issue(ctx context.Context, ticketKey, mark string) (int64, error) {
	h := ticketHash(ticketKey)
	n, err := issueScript.Run(ctx, s.rdb, []string{h}, "i:"+mark).Int64()
	if err != nil {
		return 0, fmt.Errorf("ticketstore: issue %s on %s: %w", mark, ticketKey, err)
	}
	return n, nil
}

var issueScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then return tonumber(cur) end
local n = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], ARGV[1], n)
return n`)

// MarkWritten records that a mark reached the helpdesk. It reports false when it was
// already recorded (another worker got there first).
func (s *Store) MarkWritten(ctx context.Context, ticketKey, mark string, at time.Time) (bool, error) {
	ok, err := s.rdb.HSetNX(ctx, ticketHash(ticketKey), "w:"+mark, at.UnixMilli()).Result()
	if err != nil {
		return false, fmt.Errorf("ticketstore: record write %s on %s: %w", mark, ticketKey, err)
	}
	return ok, nil
}

// Written reports whether a mark was written, and which marks issued before it are not.
func (s *Store) Written(ctx context.Context, ticketKey, mark string) (done bool, pendingBefore []string, err error) {
	r, err := s.Load(ctx, ticketKey)
	if err != nil {
		return false, nil, err
	}
	if _, ok := r.Written[mark]; ok {
		return true, nil, nil
	}
	seq := r.Issued[mark]
	for k, n := range r.Issued {
		if _, ok := r.Written[k]; !ok && n < seq {
			pendingBefore = append(pendingBefore, k)
		}
	}
	sort.Strings(pendingBefore)
	return false, pendingBefore, nil
}

// SaveStatus stores the evaluated status and updates the open-ticket and board indexes:
// nextCheck zero removes the ticket from the timer index, boardAt zero from the board.
//
// One round trip, but not one transaction: the ticket's hash and the two indexes live in
// different cluster slots, and a MULTI may not span slots. None needs the others
// atomically: each is rewritten by every evaluation, and a failed save fails the task,
// which asynq runs again.
func (s *Store) SaveStatus(ctx context.Context, ticketKey string, status []byte, nextCheck, boardAt time.Time) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, ticketHash(ticketKey), "status", status)
		if nextCheck.IsZero() {
			p.ZRem(ctx, keyOpen, ticketKey)
		} else {
			p.ZAdd(ctx, keyOpen, redis.Z{Score: float64(nextCheck.Unix()), Member: ticketKey})
		}
		if boardAt.IsZero() {
			p.ZRem(ctx, keyBoard, ticketKey)
		} else {
			p.ZAdd(ctx, keyBoard, redis.Z{Score: float64(boardAt.Unix()), Member: ticketKey})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ticketstore: save status of %s: %w", ticketKey, err)
	}
	return nil
}

// TimeIDs returns the time-accounting entries last synced ("" when none), reading only
// that field of the ticket's hash.
func (s *Store) TimeIDs(ctx context.Context, ticketKey string) (string, error) {
	v, err := s.rdb.HGet(ctx, ticketHash(ticketKey), "ta").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("ticketstore: read synced time entries of %s: %w", ticketKey, err)
	}
	return v, nil
}

// SetTimeIDs remembers which time-accounting entries were last synced.
func (s *Store) SetTimeIDs(ctx context.Context, ticketKey, ids string) error {
	return s.rdb.HSet(ctx, ticketHash(ticketKey), "ta", ids).Err()
}

// OpenTickets lists tickets with a pending timer (for re-arming at start), in order of
// their next check.
func (s *Store) OpenTickets(ctx context.Context) ([]string, error) {
	return s.rdb.ZRange(ctx, keyOpen, 0, -1).Result()
}

// Board lists tickets with an open deadline, earliest first.
func (s *Store) Board(ctx context.Context) ([]string, error) {
	return s.rdb.ZRange(ctx, keyBoard, 0, -1).Result()
}
