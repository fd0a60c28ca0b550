package contracts

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/monobunt/slaguard/internal/redistest"
)

// A contract removed by another process leaves the worker's cache on the worker's next
// match of its customer.
func TestMatchForgetsARemovedContract(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	worker, admin := NewRepo(rdb, clock), NewRepo(rdb, clock)
	c, err := admin.Create(ctx, Spec{Customer: "Example GmbH", Plan: "sla1", StartsOn: "2026-01-01", Organizations: []string{"42"}})
	if err != nil {
		t.Fatal(err)
	}
	q := MatchQuery{OrganizationID: "42", At: clock()}
	if _, err := worker.Match(ctx, q); err != nil {
		t.Fatal(err)
	}
	if len(worker.cache.byID) != 1 || len(worker.cache.idsOf) != 1 {
		t.Fatalf("cache holds %d contracts and %d answers after a match, want 1 and 1",
			len(worker.cache.byID), len(worker.cache.idsOf))
	}
	if err := admin.Remove(ctx, c.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Match(ctx, q); !errors.Is(err, ErrNoContract) {
		t.Fatalf("match after the removal: %v, want ErrNoContract", err)
	}
	if len(worker.cache.byID) != 0 || len(worker.cache.idsOf) != 0 {
		t.Errorf("cache holds %d contracts and %d answers after the removal, want none",
			len(worker.cache.byID), len(worker.cache.idsOf))
	}
}

// The cache holds at most its bound of contracts and of answers.
func TestTheDecodedCacheIsBounded(t *testing.T) {
	dc := newDecodedCache()
	dc.max = 3
	for i := range 10 {
		id := fmt.Sprintf("c_%d", i)
		if _, err := dc.contract(id, `{"id":"`+id+`"}`); err != nil {
			t.Fatal(err)
		}
		dc.answered(keyOrg+id, []string{id})
	}
	if len(dc.byID) > 3 || len(dc.idsOf) > 3 {
		t.Errorf("cache holds %d contracts and %d answers, bound 3", len(dc.byID), len(dc.idsOf))
	}
	if c, err := dc.contract("c_9", `{"id":"c_9"}`); err != nil || c.ID != "c_9" {
		t.Errorf("the newest contract: %v, %v", c, err)
	}
}
