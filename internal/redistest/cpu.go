package redistest

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// CPU returns the processor time (user and system) the server behind c has used so far,
// as INFO cpu reports it; zero when the server does not report it (miniredis). A
// benchmark takes the difference around its loop: the server shares the machine's cores
// with the code under test, so its work per op counts as much as the client's.
func CPU(tb testing.TB, c *redis.Client) time.Duration {
	tb.Helper()
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		tb.Fatalf("redistest: info cpu: %v", err)
	}
	var total time.Duration
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || (name != "used_cpu_user" && name != "used_cpu_sys") {
			continue
		}
		s, err := strconv.ParseFloat(value, 64)
		if err != nil {
			tb.Fatalf("redistest: info cpu: %s: %v", name, err)
		}
		total += time.Duration(s * float64(time.Second))
	}
	return total
}
