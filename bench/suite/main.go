// Command suite runs the process-level scenarios of slaguard's load and fault suite
// (bench/run.sh): each starts its own redis-server, a fake Zammad process
// (bench/fakezammad), `slaguard web` and `slaguard worker` on loopback, drives them and
// prints one result row per goal:
//
//	ROW<TAB>figure<TAB>goal<TAB>measured<TAB>PASS|FAIL|—<TAB>command
//
// Scenarios: e2e, timers, memory, kill, redis, outage, dup, workers (default: all, in
// that order).
//
//	go run ./bench/suite -bin /tmp/bench-bin -work /tmp/bench-work e2e timers
//
// Sizes come from the environment: E2E_RATE (new tickets/s, default 250; each write-back
// echoes a webhook, so events/s is about twice that), E2E_SECONDS (10), TIMERS_N (10000),
// MEM_TICKETS (100000), KILL_EVENTS (10000), OUTAGE_SECONDS (20), WORKERS_TICKETS (3000),
// WORKERS_COUNTS ("1,2,4"). Every wait is bounded.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var binDir string

type scenario struct {
	name string
	run  func(work string) []row
}

type row struct{ figure, goal, measured, result, command string }

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "   "+format+"\n", args...)
}

var live []*stack // stacks to stop on an interrupt

// open starts a stack for a scenario; on failure the scenario reports it as its row.
func open(work, name string, o stackOptions) (*stack, error) {
	s, err := startStack(work, name, o)
	live = append(live, s)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("%s: start: %w", name, err)
	}
	return s, nil
}

func main() {
	flag.StringVar(&binDir, "bin", "", "directory holding the built slaguard and fakezammad binaries")
	work := flag.String("work", os.TempDir(), "directory for logs and Redis files")
	flag.Parse()
	if binDir == "" {
		fmt.Fprintln(os.Stderr, "usage: suite -bin DIR [-work DIR] [scenario…]")
		os.Exit(2)
	}
	all := []scenario{{"e2e", runE2E}, {"timers", runTimers}, {"memory", runMemory},
		{"kill", runKill}, {"redis", runRedis}, {"outage", runOutage}, {"dup", runDup}, {"workers", runWorkers}}
	want := map[string]bool{}
	for _, a := range flag.Args() {
		want[a] = true
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		for _, s := range live {
			s.close()
		}
		os.Exit(1)
	}()
	for _, sc := range all {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", sc.name)
		t0 := time.Now()
		rows := sc.run(*work)
		for _, s := range live {
			s.close()
		}
		live = nil
		for _, r := range rows {
			fmt.Printf("ROW\t%s\t%s\t%s\t%s\t%s\n", r.figure, r.goal, strings.ReplaceAll(r.measured, "\t", " "), r.result, r.command)
			logf("%s: %s — %s", r.figure, r.result, r.measured)
		}
		logf("(%s took %s)", sc.name, time.Since(t0).Round(time.Second))
	}
}
