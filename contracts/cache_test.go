package contracts_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/internal/redistest"
)

// A worker's Match hands out the contract it decoded before as long as the stored JSON
// is the same, and a change made by another process (the admin API) on the very next
// call; the contract it handed out before stays as it was.
func TestMatchDecodesAContractOnlyWhenItsJSONChanged(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clock := func() time.Time { return now }
	worker, admin := contracts.NewRepo(rdb, clock), contracts.NewRepo(rdb, clock)
	c, err := admin.Create(ctx, contracts.Spec{Customer: "Example GmbH", Plan: "sla1", StartsOn: "2026-01-01",
		Organizations: []string{"42"}, Domains: []string{"example.at"}})
	if err != nil {
		t.Fatal(err)
	}
	q := contracts.MatchQuery{OrganizationID: "42", Email: "a@example.at", At: now}
	first := match(t, worker, q)
	if again := match(t, worker, q); again != first {
		t.Error("the unchanged contract was decoded again")
	}
	if _, err := admin.Patch(ctx, c.ID, 1, []byte(`{"customer":"Renamed GmbH"}`), nil); err != nil {
		t.Fatal(err)
	}
	got := match(t, worker, q)
	if got.Customer != "Renamed GmbH" || got.Version != 2 {
		t.Errorf("after the patch Match returned %q v%d, want Renamed GmbH v2", got.Customer, got.Version)
	}
	if first.Customer != "Example GmbH" || first.Version != 1 {
		t.Errorf("the contract handed out before the patch changed to %q v%d", first.Customer, first.Version)
	}
}

// Match reads a customer's index and contracts in one round trip once it knows which
// contracts the index holds; a customer without contract takes one too. A new contract
// under the index costs one more round trip, once.
func TestMatchTakesOneRoundTripForACustomerItKnows(t *testing.T) {
	rdb := redistest.Client(t)
	var trips atomic.Int64
	rdb.AddHook(tripCounter{&trips})
	ctx := context.Background()
	clock := func() time.Time { return now }
	worker, admin := contracts.NewRepo(rdb, clock), contracts.NewRepo(rdb, clock)
	current, err := admin.Create(ctx, contracts.Spec{Customer: "Example GmbH", Plan: "sla1", StartsOn: "2026-01-01",
		Organizations: []string{"42", "Example GmbH"}, Domains: []string{"example.at"}})
	if err != nil {
		t.Fatal(err)
	}
	customer := contracts.MatchQuery{OrganizationID: "42", OrganizationName: "Example GmbH", Email: "a@example.at", At: now}
	stranger := contracts.MatchQuery{OrganizationID: "13", Email: "someone@gmail.com", At: now}
	steps := []struct {
		name   string
		before func()
		q      contracts.MatchQuery
		want   string // contract id, "" for none
		trips  int64
	}{
		{"first match of the customer", nil, customer, current.ID, 2},
		{"known customer", nil, customer, current.ID, 1},
		{"customer without contract", nil, stranger, "", 1},
		{"a contract of the past joins the organisation", func() {
			if _, err := admin.Create(ctx, contracts.Spec{Customer: "Example (old)", Plan: "sla1", StartsOn: "2025-01-01",
				EndsOn: "2025-06-30", Organizations: []string{"42"}}); err != nil {
				t.Fatal(err)
			}
		}, customer, current.ID, 2},
		{"known again", nil, customer, current.ID, 1},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		trips.Store(0)
		c, err := worker.Match(ctx, s.q)
		got := ""
		if err == nil {
			got = c.ID
		} else if !errors.Is(err, contracts.ErrNoContract) {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: matched %q, want %q", s.name, got, s.want)
		}
		if n := trips.Load(); n != s.trips {
			t.Errorf("%s: %d round trips, want %d", s.name, n, s.trips)
		}
	}
}

// Workers share the decoded contracts across goroutines while an admin changes the
// contract (run with -race); every match sees a version at least as new as the one
// stored before it started.
func TestMatchSharesContractsAcrossGoroutinesWhileTheyChange(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clock := func() time.Time { return now }
	worker, admin := contracts.NewRepo(rdb, clock), contracts.NewRepo(rdb, clock)
	c, err := admin.Create(ctx, contracts.Spec{Customer: "Example GmbH", Plan: "sla1", StartsOn: "2026-01-01",
		Organizations: []string{"42"}, FirstResponse: map[string]string{"high": "2h"}})
	if err != nil {
		t.Fatal(err)
	}
	q := contracts.MatchQuery{OrganizationID: "42", At: now}
	var stored atomic.Int64
	stored.Store(1)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				before := int(stored.Load())
				got, err := worker.Match(ctx, q)
				if err != nil {
					t.Error(err)
					return
				}
				if got.Version < before {
					t.Errorf("matched v%d after v%d was stored", got.Version, before)
				}
				if _, err := got.Terms(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for v := 1; v <= 5; v++ {
		if _, err := admin.Patch(ctx, c.ID, v, []byte(fmt.Sprintf(`{"first_response":{"high":"%dh"}}`, v+2)), nil); err != nil {
			t.Fatal(err)
		}
		stored.Store(int64(v + 1))
	}
	wg.Wait()
}

// On a cluster Match reads the index and the contracts together (one slot), and sees a
// change on the next call.
func TestMatchOnACluster(t *testing.T) {
	set := redistest.StartCluster(t, 3)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{set.Nodes[0].Addr}})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	clock := func() time.Time { return now }
	worker, admin := contracts.NewRepo(rdb, clock), contracts.NewRepo(rdb, clock)
	c, err := admin.Create(ctx, contracts.Spec{Customer: "Example GmbH", Plan: "sla1", StartsOn: "2026-01-01",
		Organizations: []string{"42"}, Domains: []string{"example.at"}})
	if err != nil {
		t.Fatal(err)
	}
	q := contracts.MatchQuery{OrganizationID: "42", Email: "a@example.at", At: now}
	match(t, worker, q)
	match(t, worker, q)
	if _, err := admin.Patch(ctx, c.ID, 1, []byte(`{"customer":"Renamed GmbH"}`), nil); err != nil {
		t.Fatal(err)
	}
	if got := match(t, worker, q); got.Customer != "Renamed GmbH" {
		t.Errorf("after the patch Match returned %q", got.Customer)
	}
}

func match(t *testing.T, r *contracts.Repo, q contracts.MatchQuery) *contracts.Contract {
	t.Helper()
	c, err := r.Match(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tripCounter counts the round trips to Redis: a command, or a pipeline, each. A new
// connection's set-up (HELLO, CLIENT SETINFO) does not count.
type tripCounter struct{ n *atomic.Int64 }

func (c tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name != "hello" && name != "client" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() != "client" {
			c.n.Add(1)
		}
		return next(ctx, cmds)
	}
}
