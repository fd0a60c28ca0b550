package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of StartSentinel know their master by.
const MasterName = "slaguard"

// SentinelSet is a master, its replicas and the sentinels watching them: real
// redis-server and redis-sentinel processes on loopback, stopped when the test ends.
type SentinelSet struct {
	// Data holds the master first, then the replicas, as started; after a failover the
	// master is whichever Master names.
	Data      []*Server
	Sentinels []*Server
	newMaster *Server
}

// Sentinel timings: short, so a failover completes in about two seconds.
const (
	downAfter       = 1000 * time.Millisecond
	failoverTimeout = 10 * time.Second
)

// need skips the test outside CI when a binary is missing, and fails it in CI.
func need(tb testing.TB, bins ...string) {
	tb.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if os.Getenv("CI") != "" {
				tb.Fatalf("redistest: %s is not installed, and CI needs it (apt-get install -y redis-server redis-sentinel)", b)
			}
			tb.Skipf("redistest: %s is not installed (apt-get install -y redis-server redis-sentinel)", b)
		}
	}
}

// StartReplicated starts a master and the given number of replicas of it, without
// sentinels, and returns them master first once every replica is in sync.
func StartReplicated(tb testing.TB, replicas int) []*Server {
	tb.Helper()
	need(tb, "redis-server")
	set := &SentinelSet{}
	tb.Cleanup(set.stopAll)
	set.Data = startReplicated(tb, replicas)
	set.waitReady(tb, 30*time.Second)
	return set.Data
}

func startReplicated(tb testing.TB, replicas int) []*Server {
	tb.Helper()
	// Diskless sync without delay: a replica is in sync in milliseconds, not seconds.
	repl := []string{"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
		"--repl-ping-replica-period", "1"}
	master, err := startWith("redis-server", repl)
	if err != nil {
		tb.Fatalf("redistest: master: %v", err)
	}
	out := []*Server{master}
	host, port := splitAddr(master.Addr)
	for i := 0; i < replicas; i++ {
		r, err := startWith("redis-server", append(repl, "--replicaof", host, port))
		if err != nil {
			for _, s := range out {
				s.Stop()
				s.removeDir()
			}
			tb.Fatalf("redistest: replica %d: %v", i+1, err)
		}
		out = append(out, r)
	}
	return out
}

// StartSentinel starts one master with the given number of replicas and sentinels
// (quorum: a majority of the sentinels) and returns once every replica is in sync and
// every sentinel knows every replica and every other sentinel, so a failover can start
// at once.
func StartSentinel(tb testing.TB, replicas, sentinels int) *SentinelSet {
	tb.Helper()
	need(tb, "redis-server", "redis-sentinel")
	set := &SentinelSet{}
	tb.Cleanup(set.stopAll)
	set.Data = startReplicated(tb, replicas)
	host, port := splitAddr(set.Data[0].Addr)
	quorum := sentinels/2 + 1
	for i := 0; i < sentinels; i++ {
		s, err := prepare("redis-sentinel", nil)
		if err != nil {
			tb.Fatalf("redistest: sentinel %d: %v", i+1, err)
		}
		conf := filepath.Join(s.dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s %s %s %d\n"+
			"sentinel down-after-milliseconds %s %d\n"+
			"sentinel failover-timeout %s %d\n"+
			"sentinel parallel-syncs %s %d\n",
			MasterName, host, port, quorum,
			MasterName, downAfter.Milliseconds(),
			MasterName, failoverTimeout.Milliseconds(),
			MasterName, replicas)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			tb.Fatal(err)
		}
		s.firstArgs = []string{conf}
		set.Sentinels = append(set.Sentinels, s)
		if err := s.Restart(); err != nil {
			tb.Fatalf("redistest: sentinel %d: %v", i+1, err)
		}
	}
	set.waitReady(tb, 30*time.Second)
	return set
}

func (set *SentinelSet) stopAll() {
	for _, s := range append(append([]*Server{}, set.Sentinels...), set.Data...) {
		s.Stop()
		s.removeDir()
	}
}

// URL is the REDIS_URL of the set: every sentinel and the master's name.
func (set *SentinelSet) URL() string {
	addrs := make([]string, len(set.Sentinels))
	for i, s := range set.Sentinels {
		addrs[i] = s.Addr
	}
	return "redis-sentinel://" + strings.Join(addrs, ",") + "/" + MasterName
}

// Master asks the sentinels, one after the other, which server is the master now, and
// returns the first answer.
func (set *SentinelSet) Master(ctx context.Context) (*Server, error) {
	var errs []error
	for _, s := range set.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
		addr, err := c.GetMasterAddrByName(ctx, MasterName).Result()
		c.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if d := set.server(addr[0] + ":" + addr[1]); d != nil {
			return d, nil
		}
		errs = append(errs, fmt.Errorf("sentinel %s names an unknown master %v", s.Addr, addr))
	}
	return nil, errors.Join(errs...)
}

func (set *SentinelSet) server(addr string) *Server {
	for _, d := range set.Data {
		if d.Addr == addr {
			return d
		}
	}
	return nil
}

// WaitFailover polls until every running sentinel names a master other than old and
// that server says it is a master, and returns it. It fails the test after limit.
func (set *SentinelSet) WaitFailover(tb testing.TB, old *Server, limit time.Duration) *Server {
	tb.Helper()
	var last string
	ok := poll(limit, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var named *Server
		for _, s := range set.Sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
			addr, err := c.GetMasterAddrByName(ctx, MasterName).Result()
			c.Close()
			if err != nil {
				last = err.Error()
				return false
			}
			d := set.server(addr[0] + ":" + addr[1])
			if d == nil || d == old || (named != nil && d != named) {
				last = fmt.Sprintf("sentinel %s names %v", s.Addr, addr)
				return false
			}
			named = d
		}
		role, err := infoField(ctx, named.Addr, "replication", "role")
		if role != "master" {
			last = fmt.Sprintf("%s has role %q (%v)", named.Addr, role, err)
			return false
		}
		set.newMaster = named
		return true
	})
	if !ok {
		tb.Fatalf("redistest: no failover within %s: %s", limit, last)
	}
	return set.newMaster
}

// waitReady polls until the replicas are in sync and each sentinel sees all replicas
// and all other sentinels.
func (set *SentinelSet) waitReady(tb testing.TB, limit time.Duration) {
	tb.Helper()
	var last string
	ok := poll(limit, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for _, r := range set.Data[1:] {
			if st, _ := infoField(ctx, r.Addr, "replication", "master_link_status"); st != "up" {
				last = "replica " + r.Addr + " link " + st
				return false
			}
		}
		for _, s := range set.Sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
			reps, err1 := c.Replicas(ctx, MasterName).Result()
			sens, err2 := c.Sentinels(ctx, MasterName).Result()
			c.Close()
			if err := errors.Join(err1, err2); err != nil {
				last = err.Error()
				return false
			}
			if len(reps) != len(set.Data)-1 || len(sens) != len(set.Sentinels)-1 {
				last = fmt.Sprintf("sentinel %s knows %d replicas and %d sentinels", s.Addr, len(reps), len(sens))
				return false
			}
		}
		return true
	})
	if !ok {
		tb.Fatalf("redistest: sentinel set not ready within %s: %s", limit, last)
	}
}

// infoField reads one field of INFO section from the server at addr.
func infoField(ctx context.Context, addr, section, field string) (string, error) {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	info, err := c.Info(ctx, section).Result()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("no %s in INFO %s", field, section)
}

// poll calls cond every 25 ms until it holds or limit passes.
func poll(limit time.Duration, cond func() bool) bool {
	end := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func splitAddr(addr string) (host, port string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}
