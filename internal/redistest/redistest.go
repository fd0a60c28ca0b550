// Package redistest gives tests a real redis-server: one per test package, started on a
// free loopback port and stopped when the package's tests end. Only outside CI (CI unset)
// and only when no redis-server is installed does it fall back to miniredis, and it says so.
//
// Tests that share the package's server must not run in parallel with each other: each
// call to Addr empties the server first.
//
// StartSentinel and StartCluster start the larger shapes a test may need of its own: a
// master with replicas and sentinels (redis-sentinel, Debian's redis-sentinel package),
// and a Redis Cluster of several masters. They never fall back to miniredis: outside CI
// they skip the test when a binary is missing, in CI they fail it.
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
	// bin and args make the command line: args come after the common ones (port, dir,
	// log); a sentinel's bin is redis-sentinel and its first argument its config file.
	bin       string
	args      []string
	firstArgs []string
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

func start() (*Server, error) { return startWith("redis-server", nil) }

// startWith starts bin (redis-server or redis-sentinel) with extra arguments on a free
// port and a data directory of its own. Only a plain redis-server falls back to miniredis.
func startWith(bin string, extra []string) (*Server, error) {
	if _, err := exec.LookPath(bin); err != nil {
		if bin != "redis-server" || extra != nil {
			return nil, fmt.Errorf("%s is not installed (apt-get install -y redis-server redis-sentinel)", bin)
		}
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
	s, err := prepare(bin, extra)
	if err != nil {
		return nil, err
	}
	if err := s.Restart(); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

// prepare gives a server-to-be its port and data directory without starting it.
func prepare(bin string, extra []string) (*Server, error) {
	dir, err := os.MkdirTemp("", "redistest-*")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Server{dir: dir, port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		bin: bin, args: extra}, nil
}

// Restart starts the server again on the same port and data directory after Stop. With
// AOF on (it is), what was written before Stop is there again.
func (s *Server) Restart() error {
	if s.mini != nil {
		return s.mini.Restart()
	}
	args := append([]string{}, s.firstArgs...)
	args = append(args, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning",
		"--logfile", filepath.Join(s.dir, "redis.log"))
	if s.bin == "redis-server" {
		// As docker-compose.yml runs it (the Redis 6 name works on 7 too).
		args = append(args, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
			"--hash-max-ziplist-value", "1024")
	}
	s.cmd = exec.Command(s.bin, append(args, s.args...)...)
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
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
			return fmt.Errorf("%s on %s did not answer: %v\n%s", s.bin, s.Addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop shuts the server down as an operator would (SIGTERM: Redis flushes its AOF first).
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server at once, as a crash would (SIGKILL).
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Pause stops the process where it is (SIGSTOP): it holds its connections but answers
// nothing, as a hung or partitioned server does, until Resume.
func (s *Server) Pause() { s.send(syscall.SIGSTOP) }

// Resume lets a paused process go on (SIGCONT).
func (s *Server) Resume() { s.send(syscall.SIGCONT) }

func (s *Server) send(sig syscall.Signal) {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

func (s *Server) signal(sig syscall.Signal) {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(sig)
		_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server must wake to stop
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

// Log returns what the server has logged so far (warnings and worse; a sentinel logs
// its failover events at that level).
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(b)
}
