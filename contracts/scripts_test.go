package contracts

import (
	"context"
	"testing"
	"time"

	"github.com/monobunt/slaguard/internal/redistest"
)

// The save script reads no key it was not given: a contract under one of the new match
// keys that the caller did not pass makes it answer RETRY (and write nothing), instead
// of building that contract's key inside Lua, which a cluster may not route.
func TestSaveScriptAsksForARetryOnAnUndeclaredContract(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	repo := NewRepo(rdb, func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) })
	a := &Contract{ID: "c_a", Version: 1, Spec: Spec{Customer: "A", Organizations: []string{"Org"}, StartsOn: "2026-01-01"}}
	if err := repo.save(ctx, a, 0, nil); err != nil {
		t.Fatal(err)
	}
	b := &Contract{ID: "c_b", Version: 1, Spec: Spec{Customer: "B", Organizations: []string{"Org"}, StartsOn: "2026-01-01"}}
	keys := []string{dataKey(b.ID), keyIndex, orgKey("Org")}
	res, err := saveScript.Run(ctx, rdb, keys, b.ID, 0, "{}", "2026-01-01", "", 0, 1, 0).StringSlice()
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0] != "RETRY" {
		t.Errorf("script answered %q, want RETRY", res)
	}
	if n, _ := rdb.Exists(ctx, dataKey(b.ID)).Result(); n != 0 {
		t.Error("the script wrote the contract although it could not check the other one")
	}
	if err := repo.save(ctx, b, 0, nil); err == nil {
		t.Error("save of an overlapping contract under the same organisation succeeded")
	}
}
