package redistest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClusterSet is a Redis Cluster of masters without replicas: real redis-server
// processes on loopback, stopped when the test ends.
type ClusterSet struct {
	Nodes []*Server
}

const clusterSlots = 16384

// StartCluster starts a cluster of n masters, gives each an equal range of the hash
// slots, and returns once every node reports cluster_state:ok.
func StartCluster(tb testing.TB, n int) *ClusterSet {
	tb.Helper()
	need(tb, "redis-server")
	set := &ClusterSet{}
	tb.Cleanup(func() {
		for _, s := range set.Nodes {
			s.Stop()
			s.removeDir()
		}
	})
	var bus0 int
	for i := 0; i < n; i++ {
		bus, err := freePort()
		if err != nil {
			tb.Fatal(err)
		}
		s, err := startWith("redis-server", []string{"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
			"--cluster-port", strconv.Itoa(bus)})
		if err != nil {
			tb.Fatalf("redistest: cluster node %d: %v", i+1, err)
		}
		set.Nodes = append(set.Nodes, s)
		if i == 0 {
			bus0 = bus
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, s := range set.Nodes {
		c := redis.NewClient(&redis.Options{Addr: s.Addr})
		lo, hi := i*clusterSlots/n, (i+1)*clusterSlots/n-1
		err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err()
		if err == nil {
			// Distinct epochs up front, as redis-cli does, so no collision has to be resolved.
			err = c.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err()
		}
		if err == nil && i > 0 {
			host, port := splitAddr(set.Nodes[0].Addr)
			// The bus port is not port+10000 here, so MEET names it.
			err = c.Do(ctx, "CLUSTER", "MEET", host, port, bus0).Err()
		}
		c.Close()
		if err != nil {
			tb.Fatalf("redistest: cluster node %s: %v", s.Addr, err)
		}
	}
	var last string
	ok := poll(20*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for _, s := range set.Nodes {
			c := redis.NewClient(&redis.Options{Addr: s.Addr})
			info, err := c.ClusterInfo(ctx).Result()
			c.Close()
			if err != nil {
				last = err.Error()
				return false
			}
			if !strings.Contains(info, "cluster_state:ok") ||
				!strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				last = s.Addr + ": " + strings.Join(strings.Fields(info)[:3], " ")
				return false
			}
		}
		return true
	})
	if !ok {
		tb.Fatalf("redistest: cluster not ready: %s", last)
	}
	return set
}

// URL is the REDIS_URL of the cluster: every node as a seed.
func (set *ClusterSet) URL() string {
	addrs := make([]string, len(set.Nodes))
	for i, s := range set.Nodes {
		addrs[i] = s.Addr
	}
	return "redis-cluster://" + strings.Join(addrs, ",")
}

// Flush empties every node, for the next test on the same cluster.
func (set *ClusterSet) Flush(tb testing.TB) {
	tb.Helper()
	for _, s := range set.Nodes {
		c := redis.NewClient(&redis.Options{Addr: s.Addr})
		err := c.FlushAll(context.Background()).Err()
		c.Close()
		if err != nil {
			tb.Fatalf("redistest: flush %s: %v", s.Addr, err)
		}
	}
}
