package contracts

import (
	"context"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
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
func (r *Repo) Match(ctx context.Context, q MatchQuery) (*Contract, error) {
	day := DateOf(q.At)
	var orgKeys []string
	for _, o := range []string{q.OrganizationID, q.OrganizationName} {
		if strings.TrimSpace(o) != "" {
			orgKeys = append(orgKeys, orgKey(o))
		}
	}
	var domainKeys []string
	if d := EmailDomain(q.Email); d != "" {
		domainKeys = append(domainKeys, domainKey(d))
	}
	for _, keys := range [][]string{orgKeys, domainKeys} {
		if len(keys) == 0 {
			continue
		}
		ids, err := r.rdb.SUnion(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("contracts: match: %w", err)
		}
		sort.Strings(ids)
		cs, err := r.load(ctx, ids)
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
