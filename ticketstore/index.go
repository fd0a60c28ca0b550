package ticketstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The indexes that find the open tickets a contract change touches, without scanning
// the board:
//
//	slaguard:open-c:{<contract id>}           open tickets the contract covers
//	slaguard:open-o:{<organisation>}          open tickets of an organisation (id or name, lowercased)
//	slaguard:open-d:{<domain>}                open tickets whose customer's e-mail has the domain
//
// Each index is sharded so that its sets stay in Redis's compact integer encoding
// (intset: 4–8 B a ticket instead of about 60 in a hash table): the key above is a SET
// of shard names, "<helpdesk>:<ticket id / 512>", and each shard is a SET of ticket ids,
//
//	slaguard:open-c:{<contract id>}:zammad:9   {4608, 4711, …}
//
// An index key and its shards share a cluster slot (the {…} hash tag), so one script
// adds a ticket to both, or removes it and drops a shard that became empty. Ticket ids
// that are not decimal numbers go to one of 64 hashed shards as strings (correct, only
// not compact). A ticket's hash keeps its entries in the field "x" ("<contract id>|o:…|d:…"),
// so Reindex changes only what moved. A closed ticket is in none of them.
//
// The field "ix" and the unsharded sets slaguard:contract-open:{…} and
// slaguard:open-by:{…} are the layout before; Reindex takes a ticket out of them.
const (
	fieldIndex       = "x"
	fieldIndexLegacy = "ix"
	shardBits        = 9 // 512 ids per shard: Redis's default set-max-intset-entries
)

func indexKey(matchKey string) string {
	kind, rest, _ := strings.Cut(matchKey, ":") // "o:…", "d:…", or "c:<contract id>"
	return "slaguard:open-" + kind + ":{" + rest + "}"
}

func contractIndexKey(contractID string) string { return indexKey("c:" + contractID) }

// shardOf names the shard of a ticket and its member in it.
func shardOf(ticketKey string) (shard, member string) {
	hd, id, _ := SplitKey(ticketKey)
	if n, err := strconv.ParseUint(id, 10, 63); err == nil && strconv.FormatUint(n, 10) == id {
		return hd + ":" + strconv.FormatUint(n>>shardBits, 10), id
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return hd + ":s" + strconv.FormatUint(uint64(h.Sum32()%64), 10), id
}

// indexScript: KEYS[1] the index key (its shards), KEYS[2] the shard; ARGV: "+" or "-",
// the shard's name, the ticket id.
var indexScript = redis.NewScript(`
if ARGV[1] == '+' then
  redis.call('SADD', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[1], ARGV[2])
elseif redis.call('SREM', KEYS[2], ARGV[3]) == 1 and redis.call('SCARD', KEYS[2]) == 0 then
  redis.call('SREM', KEYS[1], ARGV[2])
end
return 0`)

// IndexEntry is what the indexes hold of a ticket: the contract that covers it ("" for
// none) and its match keys; "" when the ticket is closed.
func IndexEntry(open bool, contractID string, matchKeys []string) string {
	if !open {
		return ""
	}
	return contractID + "|" + strings.Join(matchKeys, "|")
}

// entryKeys are the index keys of an entry.
func entryKeys(e string, key func(string) string) []string {
	if e == "" {
		return nil
	}
	parts := strings.Split(e, "|")
	var keys []string
	if parts[0] != "" {
		keys = append(keys, key("c:"+parts[0]))
	}
	for _, k := range parts[1:] {
		if k != "" {
			keys = append(keys, key(k))
		}
	}
	return keys
}

func legacyIndexKey(matchKey string) string {
	if id, ok := strings.CutPrefix(matchKey, "c:"); ok {
		return "slaguard:contract-open:{" + id + "}"
	}
	return "slaguard:open-by:{" + matchKey + "}"
}

// Reindex moves a ticket from the index entry rec holds to entry, in one round trip, and
// records entry on the ticket last; nothing happens when they are equal. (Persist does
// the same with Change.Index, in its own round trip.)
func (s *Store) Reindex(ctx context.Context, rec *Record, entry string) error {
	var b pipeline
	b.reindex(ctx, rec, entry)
	if err := b.run(ctx, s.rdb); err != nil {
		return fmt.Errorf("ticketstore: index %s: %w", rec.Key, err)
	}
	rec.Index, rec.legacyIndex = entry, ""
	return nil
}

// reindex queues the move of a ticket from the entry rec holds to entry: out of the
// index keys it leaves, into those it joins, entry recorded on the ticket last.
func (b *pipeline) reindex(ctx context.Context, rec *Record, entry string) {
	if rec.Index == entry && rec.legacyIndex == "" {
		return
	}
	oldKeys, newKeys := entryKeys(rec.Index, indexKey), entryKeys(entry, indexKey)
	shard, member := shardOf(rec.Key)
	for _, k := range oldKeys {
		if !contains(newKeys, k) {
			b.script(ctx, indexScript, []string{k, k + ":" + shard}, "-", shard, member)
		}
	}
	for _, k := range newKeys {
		if !contains(oldKeys, k) {
			b.script(ctx, indexScript, []string{k, k + ":" + shard}, "+", shard, member)
		}
	}
	legacy, h := entryKeys(rec.legacyIndex, legacyIndexKey), ticketHash(rec.Key)
	b.cmd(func(p redis.Pipeliner) {
		for _, k := range legacy {
			p.SRem(ctx, k, rec.Key)
		}
		if len(legacy) > 0 || rec.legacyIndex != "" {
			p.HDel(ctx, h, fieldIndexLegacy)
		}
		if entry == "" {
			p.HDel(ctx, h, fieldIndex)
		} else {
			p.HSet(ctx, h, fieldIndex, entry)
		}
	})
}

// members lists the open tickets under index keys: their shards, then the shards'
// members (two round trips; each key its own slot, so one command each).
func (s *Store) members(ctx context.Context, keys []string) ([]string, error) {
	dirs := make([]*redis.StringSliceCmd, len(keys))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			dirs[i] = p.SMembers(ctx, k)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	type shard struct{ key, helpdesk string }
	var shards []shard
	for i, d := range dirs {
		for _, name := range d.Val() {
			hd, _, _ := strings.Cut(name, ":")
			shards = append(shards, shard{keys[i] + ":" + name, hd})
		}
	}
	ids := make([]*redis.StringSliceCmd, len(shards))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, sh := range shards {
			ids[i] = p.SMembers(ctx, sh.key)
		}
		return nil
	}); err != nil && len(shards) > 0 {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for i, c := range ids {
		for _, id := range c.Val() {
			if k := Key(shards[i].helpdesk, id); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// ContractTickets lists the open tickets a contract covers.
func (s *Store) ContractTickets(ctx context.Context, contractID string) ([]string, error) {
	ks, err := s.members(ctx, []string{contractIndexKey(contractID)})
	if err != nil {
		return nil, fmt.Errorf("ticketstore: tickets of contract %s: %w", contractID, err)
	}
	return ks, nil
}

// CountContractTickets counts the open tickets a contract covers.
func (s *Store) CountContractTickets(ctx context.Context, contractID string) (int, error) {
	key := contractIndexKey(contractID)
	names, err := s.rdb.SMembers(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("ticketstore: count tickets of contract %s: %w", contractID, err)
	}
	cards := make([]*redis.IntCmd, len(names))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, name := range names {
			cards[i] = p.SCard(ctx, key+":"+name)
		}
		return nil
	}); err != nil && len(names) > 0 {
		return 0, fmt.Errorf("ticketstore: count tickets of contract %s: %w", contractID, err)
	}
	n := 0
	for _, c := range cards {
		n += int(c.Val())
	}
	return n, nil
}

// TicketsUnder lists the open tickets under any of the match keys, each once.
func (s *Store) TicketsUnder(ctx context.Context, matchKeys []string) ([]string, error) {
	keys := make([]string, len(matchKeys))
	for i, k := range matchKeys {
		keys[i] = indexKey(k)
	}
	out, err := s.members(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("ticketstore: open tickets by customer: %w", err)
	}
	return out, nil
}

// TicketsOfContracts lists the open tickets the contracts cover, each once, in two
// round trips (their indexes, then the indexes' shards).
func (s *Store) TicketsOfContracts(ctx context.Context, contractIDs []string) ([]string, error) {
	keys := make([]string, len(contractIDs))
	for i, id := range contractIDs {
		keys[i] = contractIndexKey(id)
	}
	out, err := s.members(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("ticketstore: tickets of %d contracts: %w", len(contractIDs), err)
	}
	return out, nil
}
