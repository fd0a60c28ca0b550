package contracts

import (
	"context"
	"fmt"
)

// ListQuery filters and pages List. Zero values mean: any plan, active or not, page 1,
// DefaultPerPage per page.
type ListQuery struct {
	Plan string
	// Active, when set, keeps the contracts that are (true) or are not (false) active on At.
	Active *bool
	At     Date
	// Page counts from 1; PerPage is at most MaxPerPage.
	Page, PerPage int
}

// Paging limits of List.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// Page is one page of contracts, oldest first, and the number of matches of the query.
type Page struct {
	Items   []*Contract `json:"items"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	Total   int         `json:"total"`
}

// List returns the contracts matching q, in creation order. It reads every contract: an
// agency has hundreds, not millions, and filters on computed activity cannot be indexed.
// The contracts may be shared with other callers (as Match's): they must not be modified.
func (r *Repo) List(ctx context.Context, q ListQuery) (*Page, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage = min(q.PerPage, MaxPerPage)
	if q.At == "" {
		q.At = DateOf(r.clock())
	}
	ids, err := r.rdb.ZRange(ctx, keyIndex, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("contracts: list: %w", err)
	}
	all, err := r.load(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("contracts: list: %w", err)
	}
	matches := all[:0]
	for _, c := range all {
		if q.Plan != "" && c.Plan != q.Plan {
			continue
		}
		if q.Active != nil && c.ActiveOn(q.At) != *q.Active {
			continue
		}
		matches = append(matches, c)
	}
	p := &Page{Items: []*Contract{}, Page: q.Page, PerPage: q.PerPage, Total: len(matches)}
	if from := (q.Page - 1) * q.PerPage; from < len(matches) {
		p.Items = matches[from:min(from+q.PerPage, len(matches))]
	}
	return p, nil
}

// load reads the contracts with the ids, skipping ids whose data is gone, in batches. It
// decodes only the contracts whose JSON differs from what the cache decoded last.
func (r *Repo) load(ctx context.Context, ids []string) ([]*Contract, error) {
	out := make([]*Contract, 0, len(ids))
	const batch = 500
	for len(ids) > 0 {
		n := min(batch, len(ids))
		keys := make([]string, n)
		for i, id := range ids[:n] {
			keys[i] = dataKey(id)
		}
		vals, err := r.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			s, ok := v.(string)
			if !ok {
				r.cache.gone(ids[i])
				continue
			}
			c, err := r.cache.contract(ids[i], s)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		ids = ids[n:]
	}
	return out, nil
}
