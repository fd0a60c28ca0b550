package contracts

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// MatchQuery describes a ticket's customer: the helpdesk organisation (id and/or name)
// and the requester's e-mail address, at the instant At (e.g. the ticket's creation).
type MatchQuery struct {
	OrganizationID   string
	OrganizationName string
	Email            string
	At               time.Time
}

// Match returns the contract active at q.At whose organisations contain q's organisation
// id or name (case-insensitively) or, failing that, whose domains contain the e-mail's
// domain exactly. It returns ErrNoContract when none does.
//
// Match reads Redis on every call, so a change is visible on the next one, whichever
// process made it. It takes one round trip when the customer's contracts are those it
// read last time, two otherwise, and decodes only contracts whose stored JSON changed.
// The contract may be shared with other callers: it must not be modified.
func (r *Repo) Match(ctx context.Context, q MatchQuery) (*Contract, error) {
	day := DateOf(q.At)
	var orgKeys []string
	for _, o := range []string{q.OrganizationID, q.OrganizationName} {
		if strings.TrimSpace(o) != "" {
			orgKeys = append(orgKeys, orgKey(o))
		}
	}
	groups := make([][]string, 0, 2) // the organisations first: they win over the domain
	if len(orgKeys) > 0 {
		groups = append(groups, orgKeys)
	}
	if d := EmailDomain(q.Email); d != "" {
		groups = append(groups, []string{domainKey(d)})
	}
	if len(groups) == 0 {
		return nil, ErrNoContract
	}
	// One pipeline asks for every group's ids and for the data of the ids the groups
	// answered last time. All keys share one cluster slot, so it is one round trip on a
	// cluster too. Only a group whose ids changed costs a second one.
	names := make([]string, len(groups))
	var expected []string
	for i, g := range groups {
		names[i] = strings.Join(g, "\x00")
		expected = append(expected, r.cache.expected(names[i])...)
	}
	slices.Sort(expected)
	expected = slices.Compact(expected)
	pipe := r.rdb.Pipeline()
	unions := make([]*redis.StringSliceCmd, len(groups))
	for i, g := range groups {
		unions[i] = pipe.SUnion(ctx, g...)
	}
	var data *redis.SliceCmd
	if len(expected) > 0 {
		keys := make([]string, len(expected))
		for i, id := range expected {
			keys[i] = dataKey(id)
		}
		data = pipe.MGet(ctx, keys...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("contracts: match: %w", err)
	}
	var read []any
	if data != nil {
		read = data.Val()
		for i, v := range read {
			if v == nil {
				r.cache.gone(expected[i])
			}
		}
	}
	for i := range groups {
		ids := unions[i].Val()
		sort.Strings(ids)
		r.cache.answered(names[i], ids)
		cs, err := r.fromRead(ids, expected, read)
		if errors.Is(err, errNotRead) {
			cs, err = r.load(ctx, ids)
		}
		if err != nil {
			return nil, fmt.Errorf("contracts: match: %w", err)
		}
		for _, c := range cs {
			if c.ActiveOn(day) {
				return c, nil
			}
		}
	}
	return nil, ErrNoContract
}

// errNotRead: an id was not among those read with the index.
var errNotRead = errors.New("contracts: not read")

// fromRead returns the contracts with the ids (sorted) from the values read for the
// sorted ids expected, skipping ids whose data is gone; errNotRead when an id was not
// read.
func (r *Repo) fromRead(ids, expected []string, read []any) ([]*Contract, error) {
	out := make([]*Contract, 0, len(ids))
	for _, id := range ids {
		i, ok := slices.BinarySearch(expected, id)
		if !ok {
			return nil, errNotRead
		}
		s, ok := read[i].(string)
		if !ok {
			continue
		}
		c, err := r.cache.contract(id, s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// EmailDomain returns the lowercased domain of an e-mail address ("Office <office@Example.at>"
// → "example.at"), or "" when there is none.
func EmailDomain(email string) string {
	addr := strings.TrimSpace(email)
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(addr[at+1:])), ".")
}
