package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
)

const (
	webhookSecret = "bench-webhook-secret"
	adminToken    = "bench-admin-token"
)

// stack is one slaguard deployment for a scenario: its own redis-server, a fake Zammad
// process, a `slaguard web` and a `slaguard worker` process, all on loopback.
type stack struct {
	name     string
	work     string
	redis    *redisProc
	fake     *proc
	web      *proc
	worker   *proc
	fakeURL  string
	webURL   string
	workURL  string
	env      []string
	requests []compact // the fake's recorded requests fetched so far
}

type stackOptions struct {
	aof  bool // Redis with AOF (appendfsync everysec)
	echo bool // the fake posts a webhook back after each write, as Zammad's trigger does
	env  []string
}

func startStack(work, name string, o stackOptions) (*stack, error) {
	s := &stack{name: name, work: work}
	var err error
	if s.redis, err = startRedis(work, name, o.aof); err != nil {
		return s, err
	}
	fakePort, webPort, workPort := freePort(), freePort(), freePort()
	s.fakeURL = fmt.Sprintf("http://127.0.0.1:%d", fakePort)
	s.webURL = fmt.Sprintf("http://127.0.0.1:%d", webPort)
	s.workURL = fmt.Sprintf("http://127.0.0.1:%d", workPort)
	fargs := []string{filepath.Join(binDir, "fakezammad"), "-addr", fmt.Sprintf("127.0.0.1:%d", fakePort)}
	if o.echo {
		fargs = append(fargs, "-webhook-url", s.webURL+"/webhooks/zammad", "-webhook-secret", webhookSecret)
	}
	s.fake = &proc{name: name + "-fakezammad", args: fargs, log: filepath.Join(work, name+"-fakezammad.log")}
	if err := s.fake.start(); err != nil {
		return s, err
	}
	if err := waitHTTP(s.fakeURL+"/_stats", 15*time.Second); err != nil {
		return s, err
	}
	s.env = append([]string{
		"REDIS_URL=redis://" + s.redis.addr() + "/0",
		"ZAMMAD_URL=" + s.fakeURL, "ZAMMAD_TOKEN=" + zammadfake.DefaultToken,
		"ZAMMAD_WEBHOOK_SECRET=" + webhookSecret, "SLAGUARD_ADMIN_TOKENS=" + adminToken,
		"SLAGUARD_LOG_LEVEL=warn", "SLAGUARD_SHUTDOWN_TIMEOUT=5s",
		// No catch-up sync: the fake knows a ticket only from slaguard's writes to it (the
		// suite's tickets exist only as webhooks), so a catch-up would rebuild a different
		// ticket from it and add events no webhook sent (kill -9: events-not-once).
		"SLAGUARD_RECONCILE_INTERVAL=0",
	}, o.env...)
	s.web = s.slaguard("web", webPort)
	if err := s.web.start(); err != nil {
		return s, err
	}
	if err := waitHTTP(s.webURL+"/readyz", 20*time.Second); err != nil {
		return s, err
	}
	return s, s.startWorker()
}

func (s *stack) slaguard(role string, port int) *proc {
	return &proc{name: s.name + "-" + role, args: []string{filepath.Join(binDir, "slaguard"), role},
		env: append(append([]string{}, s.env...), fmt.Sprintf("SLAGUARD_ADDR=127.0.0.1:%d", port)),
		log: filepath.Join(s.work, s.name+"-"+role+".log")}
}

// startWorker starts a (new) worker process on the worker port.
func (s *stack) startWorker() error {
	var port int
	fmt.Sscanf(s.workURL[strings.LastIndex(s.workURL, ":")+1:], "%d", &port)
	s.worker = s.slaguard("worker", port)
	if err := s.worker.start(); err != nil {
		return err
	}
	return waitHTTP(s.workURL+"/healthz", 30*time.Second)
}

func (s *stack) close() {
	if s == nil {
		return
	}
	s.worker.stop()
	s.web.stop()
	s.fake.stop()
	if s.redis != nil {
		s.redis.stop()
		s.redis.rdb.Close()
	}
}

func splitLines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") }
