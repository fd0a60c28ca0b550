package main

import (
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A trial run (no REDIS_URL: the embedded Redis) that receives nothing uses little CPU.
// Its asynq servers polled the embedded Redis every 10 ms, each poll a Lua script per
// queue that miniredis interprets in Go: an idle trial burnt a quarter of a core
// (/proc/<pid>/stat, 25 % over 60 s). It polls at a human pace now (about 4 %).
func TestTrialIdlesQuietly(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a process for several seconds")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	addr := "127.0.0.1:" + strconv.Itoa(freeTCPPort(t))
	cmd := exec.Command(os.Args[0], "-test.run=^TestSlaguardProcess$", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REDIS_URL=") && !strings.HasPrefix(kv, "SLAGUARD_") && !strings.HasPrefix(kv, "ZAMMAD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, roleEnv+"=serve", "SLAGUARD_ADDR="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	eventually(t, 20*time.Second, "the trial answering /readyz", func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	time.Sleep(2 * time.Second) // start-up work (sweeps, re-arming) is done
	const window = 6 * time.Second
	before := cpuTicks(t, cmd.Process.Pid)
	time.Sleep(window)
	used := cpuTicks(t, cmd.Process.Pid) - before
	// 100 ticks are one CPU second (USER_HZ); 10 % of a core over the window is the bar.
	share := float64(used) / window.Seconds()
	t.Logf("idle trial: %d ticks in %s = %.1f %% of a core", used, window, share)
	if share > 10 {
		t.Errorf("an idle trial uses %.1f %% of a core, want at most 10 %%", share)
	}
}

// cpuTicks is a process's user plus system CPU time, in clock ticks (/proc/<pid>/stat).
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) may hold spaces; count fields after its ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(fields[12], 10, 64) // field 15
	return utime + stime
}
