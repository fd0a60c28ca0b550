package redistest

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestClusterSpreadsKeysOverEveryNode(t *testing.T) {
	set := StartCluster(t, 3)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{set.Nodes[0].Addr}})
	defer c.Close()
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		if err := c.Set(ctx, k, k, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range set.Nodes {
		nc := redis.NewClient(&redis.Options{Addr: n.Addr})
		size, err := nc.DBSize(ctx).Result()
		nc.Close()
		if err != nil || size == 0 {
			t.Errorf("node %s holds %d keys (%v); a cluster of 3 should spread 8 keys", n.Addr, size, err)
		}
	}
}

func TestSentinelPromotesAReplicaWhenTheMasterDies(t *testing.T) {
	set := StartSentinel(t, 2, 3)
	ctx := context.Background()
	old, err := set.Master(ctx)
	if err != nil || old != set.Data[0] {
		t.Fatalf("master is %v (%v), want the first server", old, err)
	}
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: MasterName,
		SentinelAddrs: []string{set.Sentinels[0].Addr, set.Sentinels[1].Addr, set.Sentinels[2].Addr}})
	defer c.Close()
	if err := c.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(ctx, 2, time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	old.Kill()
	promoted := set.WaitFailover(t, old, 20*time.Second)
	t.Logf("failover took %s", time.Since(start).Round(time.Millisecond))
	if promoted == old {
		t.Fatal("the dead master is still named")
	}
	v, err := c.Get(ctx, "k").Result()
	if err != nil || v != "before" {
		t.Errorf("after the failover k = %q (%v), want what was replicated before", v, err)
	}
}
