// Package redistest gives tests a real redis-server: one per test package, started on a
// free loopback port and stopped when the package's tests end. Only outside CI (CI unset)
// and only when no redis-server is installed does it fall back to miniredis, and it says so.
//
// Tests that share the package's server must not run in parallel with each other: each
// call to Addr empties the server first.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process (or a miniredis stand-in) on loopback.
type Server struct {
	Addr string
	dir  string
	port int
	cmd  *exec.Cmd
	mini *miniredis.Miniredis
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Main runs a package's tests and stops the shared server afterwards. Use it from TestMain:
//
//	func TestMain(m *testing.M) { redistest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Stop()
		shared.removeDir()
	}
	os.Exit(code)
}

// Addr returns the address of the package's shared server, emptied for the calling test.
func Addr(tb testing.TB) string {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		tb.Fatalf("redistest: %v", sharedErr)
	}
	c := redis.NewClient(&redis.Options{Addr: shared.Addr})
	defer c.Close()
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		tb.Fatalf("redistest: flush: %v", err)
	}
	return shared.Addr
}

// Client returns a go-redis client on the shared, emptied server, closed when tb ends.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr(tb)})
	tb.Cleanup(func() { c.Close() })
	return c
}

// Start starts a server of the test's own (for tests that stop and restart Redis);
// it is stopped when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := start()
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(func() { s.Stop(); s.removeDir() })
	return s
}

func (s *Server) removeDir() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// Real reports whether s is a real redis-server rather than the miniredis fallback.
func (s *Server) Real() bool { return s.mini == nil }

func start() (*Server, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			return nil, fmt.Errorf("redis-server is not installed, and CI needs a real one (apt-get install -y redis-server)")
		}
		m, err := miniredis.Run()
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "redistest: redis-server not found; falling back to miniredis (CI never does)")
		return &Server{Addr: m.Addr(), mini: m}, nil
	}
	dir, err := os.MkdirTemp("", "redistest-*")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	if err := s.Restart(); err != nil {
		return nil, err
	}
	return s, nil
}

// Restart starts the server again on the same port and data directory after Stop. With
// AOF on (it is), what was written before Stop is there again.
func (s *Server) Restart() error {
	if s.mini != nil {
		return s.mini.Restart()
	}
	s.cmd = exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--appendonly", "yes", "--appendfsync", "everysec",
		"--save", "", "--daemonize", "no", "--loglevel", "warning",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server on %s did not answer: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop shuts the server down as an operator would (SIGTERM: Redis flushes its AOF first).
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server at once, as a crash would (SIGKILL).
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(sig)
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
