package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

var idLike = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}|[A-Za-z0-9_]*[0-9][A-Za-z0-9_]*`)

// memorySplit groups every key by its shape (ids replaced by *) and sums MEMORY USAGE per
// group: the top groups, as bytes per ticket, e.g. "asynq:{events}:t:* 1400 B".
func (r *redisProc) memorySplit(perTickets int, top int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sizes := map[string]int64{}
	counts := map[string]int{}
	var cursor uint64
	for round := 0; round < 100000; round++ {
		keys, next, err := r.rdb.Scan(ctx, cursor, "*", 5000).Result()
		if err != nil {
			return "split: " + err.Error()
		}
		pipe := r.rdb.Pipeline()
		cmds := make([]interface{ Val() int64 }, len(keys))
		for i, k := range keys {
			cmds[i] = pipe.MemoryUsage(ctx, k)
		}
		_, _ = pipe.Exec(ctx)
		for i, k := range keys {
			g := idLike.ReplaceAllString(k, "*")
			sizes[g] += cmds[i].Val()
			counts[g]++
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	groups := make([]string, 0, len(sizes))
	for g := range sizes {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return sizes[groups[i]] > sizes[groups[j]] })
	var parts []string
	for i, g := range groups {
		if i == top {
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d: %d B", g, counts[g], sizes[g]/int64(perTickets)))
	}
	return strings.Join(parts, ", ")
}
