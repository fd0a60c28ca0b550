package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// proc is a child process of the suite: started with its output in a log file, stopped
// with SIGTERM (SIGKILL after a bound), or killed outright.
type proc struct {
	name string
	args []string
	env  []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *proc) start() error {
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.args[0], p.args[1:]...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	return nil
}

// stop sends SIGTERM and waits up to 15 s, then kills.
func (p *proc) stop() {
	if p == nil || p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	if p == nil || p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitHTTP polls url until it answers 200, up to limit.
func waitHTTP(url string, limit time.Duration) error {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if r, err := http.Get(url); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s", url, limit)
}

// redisProc is a redis-server of the suite's own on a free loopback port.
type redisProc struct {
	*proc
	port int
	rdb  *redis.Client
}

func startRedis(work, name string, aof bool) (*redisProc, error) {
	port := freePort()
	dir := filepath.Join(work, name+"-redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	args := []string{"redis-server", "--bind", "127.0.0.1", "--port", fmt.Sprint(port), "--dir", dir,
		"--save", "", "--loglevel", "warning", "--daemonize", "no",
		"--hash-max-listpack-value", "1024"} // as docker-compose.yml runs it
	if aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "everysec")
	} else {
		args = append(args, "--appendonly", "no")
	}
	r := &redisProc{proc: &proc{name: name + "-redis", args: args, log: filepath.Join(work, name+"-redis.log")}, port: port}
	r.rdb = redis.NewClient(&redis.Options{Addr: r.addr()})
	return r, r.restart()
}

func (r *redisProc) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// restart starts the server (again) and waits until it answers PING.
func (r *redisProc) restart() error {
	if err := r.start(); err != nil {
		return err
	}
	end := time.Now().Add(20 * time.Second)
	for time.Now().Before(end) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := r.rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: no PONG after 20 s", r.name)
}

// usedMemory is INFO memory's used_memory in bytes.
func (r *redisProc) usedMemory() (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := r.rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, line := range splitLines(s) {
		if _, err := fmt.Sscanf(line, "used_memory:%d", &n); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("no used_memory in INFO")
}

// deleteCompleted deletes every finished task asynq still retains, in every queue, with
// asynq's own inspector: what its janitor does once each task's retention has passed.
// It returns how many it deleted.
func (r *redisProc) deleteCompleted() (int, error) {
	in := asynq.NewInspectorFromRedisClient(r.rdb)
	queues, err := in.Queues()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, q := range queues {
		n, err := in.DeleteAllCompletedTasks(q)
		if err != nil {
			return total, fmt.Errorf("delete completed tasks of %s: %w", q, err)
		}
		total += n
	}
	return total, nil
}
