package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/internal/clocktest"
)

// roleEnv names the role a re-executed test binary plays (TestSlaguardProcess).
const roleEnv = "SLAGUARD_TEST_PROCESS_ROLE"

// TestSlaguardProcess is `slaguard web` or `slaguard worker` as a process of its own:
// the test binary re-executed by startProcesses. It does nothing in a normal run.
func TestSlaguardProcess(t *testing.T) {
	role := os.Getenv(roleEnv)
	if role == "" {
		t.Skip("only as a child of startProcesses")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg, err := LoadConfig(os.Getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, newLogger(os.Stderr, "warn"), appOptions{clock: clocktest.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.run(ctx, role); err != nil {
		t.Fatal(err)
	}
}

// processes are the web and worker processes of one test service.
type processes struct {
	t   *testing.T
	web []*url.URL
	all []*exec.Cmd
}

// startProcesses starts the web and worker processes opt asks for, each with the
// service's environment, and returns once every web answers /readyz and every worker
// has registered with asynq.
func (s *testService) startProcesses(opt serviceOptions) *processes {
	t := s.t
	p := &processes{t: t}
	if opt.webProcs == 0 && opt.workerProcs == 0 {
		return p
	}
	spawn := func(role, addr string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSlaguardProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), roleEnv+"="+role, "SLAGUARD_ADDR="+addr,
			// The child's clock starts where the test's clock is now.
			clocktest.Env+"="+clocktest.Now().Format(time.RFC3339Nano))
		for k, v := range s.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		logf, err := os.Create(filepath.Join(t.TempDir(), role+strconv.Itoa(len(p.all))+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.all = append(p.all, cmd)
		t.Cleanup(func() {
			logf.Close()
			if t.Failed() && testing.Verbose() {
				b, _ := os.ReadFile(logf.Name())
				t.Logf("%s process log:\n%s", role, b)
			}
		})
	}
	for range opt.webProcs {
		port := freeTCPPort(t)
		addr := "127.0.0.1:" + strconv.Itoa(port)
		spawn("web", addr)
		p.web = append(p.web, &url.URL{Scheme: "http", Host: addr})
	}
	for range opt.workerProcs {
		spawn("worker", "127.0.0.1:0")
	}
	for _, u := range p.web {
		eventually(t, 20*time.Second, "web process "+u.Host+" ready", func() bool {
			resp, err := http.Get(u.String() + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}
	insp := asynq.NewInspectorFromRedisClient(s.app.rdb)
	want := opt.workerProcs
	if !opt.noWorker {
		want++
	}
	eventually(t, 20*time.Second, strconv.Itoa(want)+" workers registered", func() bool {
		servers, err := insp.Servers()
		return err == nil && len(servers) >= want
	})
	return p
}

// balancer is the load balancer in front of the web processes: round robin.
func (p *processes) balancer() http.Handler {
	proxies := make([]http.Handler, len(p.web))
	for i, u := range p.web {
		proxies[i] = httputil.NewSingleHostReverseProxy(u)
	}
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[n.Add(1)%uint64(len(proxies))].ServeHTTP(w, r)
	})
}

// stop ends every process as an orchestrator does (SIGTERM), and kills what is still
// running after the shutdown timeout.
func (p *processes) stop() {
	for _, c := range p.all {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	for _, c := range p.all {
		done := make(chan struct{})
		go func() { _ = c.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}
}

func freeTCPPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
