package ticketstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/internal/redistest"
)

func TestIndexesFindOpenTicketsAndStayCompact(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := New(rdb)
	recs := map[string]*Record{}
	index := func(key, entry string) {
		t.Helper()
		rec, ok := recs[key]
		if !ok {
			rec = NewRecord(key)
			recs[key] = rec
		}
		if err := s.Reindex(ctx, rec, entry); err != nil {
			t.Fatal(err)
		}
	}
	want := func(got []string, err error, keys ...string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(keys)
		if diff := cmp.Diff(keys, got); diff != "" {
			t.Errorf("tickets (-want +got):\n%s", diff)
		}
	}
	// 1 200 tickets of one customer over three shards, two of another, one with a
	// non-numeric id.
	var acme []string
	for i := 0; i < 1200; i++ {
		k := Key("zammad", fmt.Sprint(4096+i)) // shards 8, 9, 10
		acme = append(acme, k)
		index(k, IndexEntry(true, "c1", []string{"o:7", "d:acme.example"}))
	}
	index("zendesk:12", IndexEntry(true, "c2", []string{"o:beta"}))
	index("zendesk:13", IndexEntry(true, "", []string{"o:beta", "d:beta.example"}))
	index("freshdesk:A-1", IndexEntry(true, "c2", []string{"d:beta.example"}))

	got, err := s.ContractTickets(ctx, "c1")
	want(got, err, acme...)
	got, err = s.TicketsUnder(ctx, []string{"o:beta", "d:beta.example"})
	want(got, err, "zendesk:12", "zendesk:13", "freshdesk:A-1")
	if n, err := s.CountContractTickets(ctx, "c2"); err != nil || n != 2 {
		t.Errorf("CountContractTickets(c2) = %d, %v; want 2", n, err)
	}

	// Numeric ids sit in integer sets of at most 512 (the compact encoding).
	shards, err := rdb.SMembers(ctx, contractIndexKey("c1")).Result()
	if err != nil || len(shards) != 3 {
		t.Fatalf("shards of c1 = %v, %v; want 3", shards, err)
	}
	for _, sh := range shards {
		if enc := rdb.ObjectEncoding(ctx, contractIndexKey("c1")+":"+sh).Val(); enc != "intset" {
			t.Errorf("shard %s is %q, want intset", sh, enc)
		}
	}

	// Moving to another contract and closing take tickets out; an emptied shard goes.
	for _, k := range acme[:512] {
		index(k, "")
	}
	index(acme[600], IndexEntry(true, "c2", []string{"o:7"}))
	index("zendesk:12", "")
	got, err = s.ContractTickets(ctx, "c2")
	want(got, err, acme[600], "freshdesk:A-1")
	got, err = s.TicketsUnder(ctx, []string{"d:acme.example"})
	rest := slices.Concat(acme[512:600], acme[601:])
	want(got, err, rest...)
	if n, err := s.CountContractTickets(ctx, "c1"); err != nil || n != len(rest) {
		t.Errorf("CountContractTickets(c1) = %d, %v; want %d", n, err, len(rest))
	}
	if shards, _ := rdb.SMembers(ctx, contractIndexKey("c1")).Result(); len(shards) != 2 {
		t.Errorf("shards of c1 after closing the first 512 = %v, want 2", shards)
	}
	// Nothing is left of a ticket once every entry is gone.
	got, err = s.TicketsUnder(ctx, []string{"o:beta"})
	want(got, err, "zendesk:13")
}

func TestReindexClearsTheLayoutBefore(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Client(t)
	s := New(rdb)
	// A ticket indexed by the layout before: unsharded sets, field ix.
	h := ticketHash("zammad:9")
	rdb.SAdd(ctx, "slaguard:contract-open:{c1}", "zammad:9")
	rdb.SAdd(ctx, "slaguard:open-by:{o:7}", "zammad:9")
	rdb.HSet(ctx, h, "v", 0, "ix", "c1|o:7")
	rec, err := s.Load(ctx, "zammad:9")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reindex(ctx, rec, IndexEntry(true, "c1", []string{"o:7"})); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, "slaguard:contract-open:{c1}", "slaguard:open-by:{o:7}").Val(); n != 0 {
		t.Errorf("%d sets of the layout before remain", n)
	}
	if ix := rdb.HExists(ctx, h, "ix").Val(); ix {
		t.Error("field ix remains")
	}
	got, err := s.ContractTickets(ctx, "c1")
	if err != nil || !slices.Equal(got, []string{"zammad:9"}) {
		t.Errorf("ContractTickets(c1) = %v, %v", got, err)
	}
	rec, _ = s.Load(ctx, "zammad:9")
	if rec.Index != "c1|o:7" {
		t.Errorf("entry %q, want c1|o:7", rec.Index)
	}
}
