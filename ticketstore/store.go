package ticketstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
)

// The store keeps all of one ticket in one Redis hash, so a small ticket stays in
// Redis's compact listpack encoding and a cluster keeps it in one slot ({…} hash tag):
//
//	slaguard:ticket:{zammad:4711}
//	  e:<updated_at unix nanos>:<article id>  one event (compact JSON), written once
//	  v                                       how many events the log holds (its version)
//	  i:<mark key>                            the order in which the mark was first issued
//	  q:<mark key>                            <version>|<write>: an issued mark's write, until written
//	  w:<mark key>                            when the mark was written back (unix ms)
//	  seq                                     the issue counter
//	  status                                  the summary of the last evaluation (JSON)
//	  n                                       the next check armed (unix ms)
//	  ta                                      the time-accounting ids last synced
//
// Index key: slaguard:board (ZSET ticket → earliest open deadline, unix s). The former
// slaguard:open (ticket → next check) is gone: a ticket's next check is its field n, and
// every ticket with one is on the board.
const keyBoard = "slaguard:board"

// maxBodyStored bounds the article text kept in the log: enough for the priority rules
// (they read the title and the start of the first article), small enough for the
// memory budget of an open ticket.
const maxBodyStored = 320

// Key is the stable name of a ticket across slaguard: "zammad:4711".
func Key(helpdeskName, id string) string { return helpdeskName + ":" + id }

func ticketHash(ticketKey string) string { return "slaguard:ticket:{" + ticketKey + "}" }

// SplitKey is Key's inverse.
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

// compact drops what the log need not keep: the trigger's name, article bodies beyond
// maxBodyStored, and every article body but a customer's (only the first one is read by
// the rules). The delivery id and when it was received stay (compactly, see
// storedEvent): the ticket view shows them, so an event can be matched to the log line
// and the helpdesk's delivery. A redelivery is still deduplicated by the log's own key.
func compact(ev helpdesk.Event) helpdesk.Event {
	ev.Trigger = ""
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

// Record is everything the store holds of one ticket, as of one read.
type Record struct {
	Key     string
	Events  []helpdesk.Event // sorted by updated_at, then article id
	Written map[string]time.Time
	Issued  map[string]int64
	// Pending are the writes of issued marks not yet written, by mark.
	Pending map[string]Pending
	Status  json.RawMessage
	TimeIDs string
	// Version counts the events in the log; Persist refuses to write over a newer one.
	Version int64
	// NextCheck is the next check the last evaluation armed (zero: none).
	NextCheck time.Time
	// Index is the ticket's entry in the contract and customer indexes (see Reindex).
	Index string

	legacyIndex string          // the entry of the index layout before (field "ix")
	fields      map[string]bool // event fields present
	added       *addedEvent     // the event Add took in, not stored yet
}

type addedEvent struct {
	field string
	value []byte
}

// Pending is an issued mark's write waiting to go out, and the version of the log the
// evaluation that issued it saw: while the log is at that version, the mark is still
// what the ticket calls for.
type Pending struct {
	Write   helpdesk.Write
	Version int64
}

// NewRecord is the record of a ticket the store has nothing of yet.
func NewRecord(ticketKey string) *Record {
	return &Record{Key: ticketKey, Written: map[string]time.Time{}, Issued: map[string]int64{},
		Pending: map[string]Pending{}, fields: map[string]bool{}}
}

// Add takes ev into the record (in memory; Persist stores it) unless the log has an event
// of the same identity; it reports whether ev was new. The record stays sorted.
func (r *Record) Add(ev helpdesk.Event) (bool, error) {
	f := eventField(ev)
	if r.fields[f] || (r.added != nil && r.added.field == f) {
		return false, nil
	}
	if r.added != nil {
		return false, errors.New("ticketstore: a record takes one new event at a time")
	}
	c := compact(ev)
	b, err := json.Marshal(store(c))
	if err != nil {
		return false, fmt.Errorf("ticketstore: encode event: %w", err)
	}
	r.added = &addedEvent{field: f, value: b}
	hd, id, _ := SplitKey(r.Key)
	var se storedEvent
	_ = json.Unmarshal(b, &se) // the event as the log will give it back
	e := se.event(hd, id)
	i := sort.Search(len(r.Events), func(i int) bool { return eventLess(e, r.Events[i]) })
	r.Events = slices.Insert(r.Events, i, e)
	return true, nil
}

// ErrNoTicket: the store has nothing of that ticket.
var ErrNoTicket = errors.New("ticketstore: no such ticket")

// Load reads a ticket's whole record in one round trip; ErrNoTicket when there is none.
func (s *Store) Load(ctx context.Context, ticketKey string) (*Record, error) {
	m, err := s.rdb.HGetAll(ctx, ticketHash(ticketKey)).Result()
	if err != nil {
		return nil, fmt.Errorf("ticketstore: load %s: %w", ticketKey, err)
	}
	if len(m) == 0 {
		return nil, ErrNoTicket
	}
	return parseRecord(ticketKey, m)
}

func parseRecord(ticketKey string, m map[string]string) (*Record, error) {
	r := NewRecord(ticketKey)
	hd, id, _ := SplitKey(ticketKey)
	for f, v := range m {
		switch {
		case strings.HasPrefix(f, "e:"):
			var se storedEvent
			if err := json.Unmarshal([]byte(v), &se); err != nil {
				return nil, fmt.Errorf("ticketstore: load %s: event %s: %w", ticketKey, f, err)
			}
			r.Events = append(r.Events, se.event(hd, id))
			r.fields[f] = true
		case strings.HasPrefix(f, "w:"):
			ms, _ := strconv.ParseInt(v, 10, 64)
			r.Written[f[2:]] = time.UnixMilli(ms).UTC()
		case strings.HasPrefix(f, "i:"):
			n, _ := strconv.ParseInt(v, 10, 64)
			r.Issued[f[2:]] = n
		case strings.HasPrefix(f, "q:"):
			ver, js, _ := strings.Cut(v, "|")
			var p Pending
			p.Version, _ = strconv.ParseInt(ver, 10, 64)
			if err := json.Unmarshal([]byte(js), &p.Write); err != nil {
				return nil, fmt.Errorf("ticketstore: load %s: pending write %s: %w", ticketKey, f, err)
			}
			r.Pending[f[2:]] = p
		case f == "status":
			r.Status = json.RawMessage(v)
		case f == "ta":
			r.TimeIDs = v
		case f == "v":
			r.Version, _ = strconv.ParseInt(v, 10, 64)
		case f == fieldIndex:
			r.Index = v
		case f == fieldIndexLegacy:
			r.legacyIndex = v
		case f == "n":
			ms, _ := strconv.ParseInt(v, 10, 64)
			r.NextCheck = time.UnixMilli(ms).UTC()
		}
	}
	for k := range r.Written {
		delete(r.Pending, k) // written; the pending copy is being cleared
	}
	sort.Slice(r.Events, func(i, j int) bool { return eventLess(r.Events[i], r.Events[j]) })
	return r, nil
}

// Unwritten lists the issued marks not yet written, in the order they were issued.
func (r *Record) Unwritten() []string {
	var out []string
	for k := range r.Issued {
		if _, ok := r.Written[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return r.Issued[out[i]] < r.Issued[out[j]] })
	return out
}

// LastIssued is the sequence number of the newest issued mark (0: none).
func (r *Record) LastIssued() int64 {
	var n int64
	for _, v := range r.Issued {
		n = max(n, v)
	}
	return n
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

// MarkWritten records that a mark reached the helpdesk and drops its pending write. It
// reports false when it was already recorded (another worker got there first).
func (s *Store) MarkWritten(ctx context.Context, ticketKey, mark string, at time.Time) (bool, error) {
	h := ticketHash(ticketKey)
	var set *redis.BoolCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		set = p.HSetNX(ctx, h, "w:"+mark, at.UnixMilli())
		p.HDel(ctx, h, "q:"+mark)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("ticketstore: record write %s on %s: %w", mark, ticketKey, err)
	}
	return set.Val(), nil
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

// Board lists tickets with an open deadline, earliest first.
func (s *Store) Board(ctx context.Context) ([]string, error) {
	return s.rdb.ZRange(ctx, keyBoard, 0, -1).Result()
}
