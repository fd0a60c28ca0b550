package contracts

import (
	"slices"
	"sync"
)

// maxCached bounds each map of a decodedCache. An agency has hundreds of contracts; ids
// and customers beyond the bound are forgotten one at a time, so a process that saw many
// removed contracts or many customers does not grow without end.
const maxCached = 4096

// decodedCache keeps what Match and List read last, so that an unchanged contract is not
// decoded again on every event and a customer's contracts are read together with its
// index in one round trip. It never answers on its own: Redis is read each time, and a
// cached contract is handed out only when the bytes read equal the bytes it was decoded
// from, so a change is visible on the very next read, whichever process made it.
//
// The contracts it hands out are shared between callers and goroutines: nobody may
// modify them (Get decodes a contract of the caller's own, for the writes).
type decodedCache struct {
	mu  sync.Mutex
	max int
	// byID: the JSON last read for a contract id and what it decoded to.
	byID map[string]decodedContract
	// idsOf: the ids a set of match keys (joined) answered last time, sorted.
	idsOf map[string][]string
}

type decodedContract struct {
	raw string
	c   *Contract
}

func newDecodedCache() *decodedCache {
	return &decodedCache{max: maxCached, byID: map[string]decodedContract{}, idsOf: map[string][]string{}}
}

// contract returns the contract stored as raw under id, decoding it only when raw is not
// what it was decoded from last time.
func (dc *decodedCache) contract(id, raw string) (*Contract, error) {
	dc.mu.Lock()
	e, ok := dc.byID[id]
	dc.mu.Unlock()
	if ok && e.raw == raw {
		return e.c, nil
	}
	c, err := decode(id, []byte(raw))
	if err != nil {
		return nil, err
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if _, ok := dc.byID[id]; !ok {
		evictOne(dc.byID, dc.max)
	}
	dc.byID[id] = decodedContract{raw: raw, c: c}
	return c, nil
}

// gone forgets a contract whose data Redis no longer has.
func (dc *decodedCache) gone(id string) {
	dc.mu.Lock()
	delete(dc.byID, id)
	dc.mu.Unlock()
}

// expected returns the ids the match keys answered last time (nil: none known).
func (dc *decodedCache) expected(keys string) []string {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.idsOf[keys]
}

// answered notes the sorted ids the match keys answered; an empty answer is not kept, so
// the customers without a contract take no room.
func (dc *decodedCache) answered(keys string, ids []string) {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if len(ids) == 0 {
		delete(dc.idsOf, keys)
		return
	}
	if old, ok := dc.idsOf[keys]; ok && slices.Equal(old, ids) {
		return
	} else if !ok {
		evictOne(dc.idsOf, dc.max)
	}
	dc.idsOf[keys] = slices.Clone(ids)
}

// evictOne drops an arbitrary entry of m when it holds max entries already.
func evictOne[V any](m map[string]V, max int) {
	if len(m) < max {
		return
	}
	for k := range m {
		delete(m, k)
		return
	}
}
