package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/internal/redistest"
)

// The fault tests of the load suite (bench/run.sh). They take tens of seconds each and
// run only with SLAGUARD_CHAOS=1, e.g.:
//
//	SLAGUARD_CHAOS=1 go test -run 'TestChaos' -v ./cmd/slaguard
func chaos(t *testing.T) {
	if os.Getenv("SLAGUARD_CHAOS") == "" {
		t.Skip("set SLAGUARD_CHAOS=1 to run the fault tests")
	}
}

// writesPerTicket lists, per ticket, the marks slaguard wrote, in the order Zammad got them.
func writesPerTicket(z *zammadfake.Server) map[string][]string {
	out := map[string][]string{}
	for _, r := range z.Requests() {
		if r.Status < 200 || r.Status > 299 {
			continue
		}
		m := r.BodyMap()
		switch {
		case r.Method == http.MethodPost && r.Path == "/api/v1/tags/add":
			id := fmt.Sprint(m["o_id"])
			out[id] = append(out[id], "tag:"+fmt.Sprint(m["item"]))
		case r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/api/v1/tickets/"):
			id := strings.TrimPrefix(r.Path, "/api/v1/tickets/")
			if p, ok := m["priority"]; ok {
				out[id] = append(out[id], "priority:"+fmt.Sprint(p))
			}
			if a, ok := m["article"].(map[string]any); ok {
				first, _, _ := strings.Cut(fmt.Sprint(a["body"]), ":")
				out[id] = append(out[id], "note:"+first)
			}
		case r.Method == http.MethodPost && r.Path == "/api/v1/ticket_articles":
			id := fmt.Sprint(m["ticket_id"])
			out[id] = append(out[id], "reply")
		}
	}
	return out
}

// (c) The helpdesk is down (503, then 429 with Retry-After) while tickets come in; when
// it recovers, every write-back arrives, in the order issued per ticket, none twice.
func TestChaosHelpdeskOutage(t *testing.T) {
	chaos(t)
	s := startService(t, serviceOptions{})
	c := secondsContract()
	c["first_response"] = map[string]string{"low": "4s", "medium": "4s", "high": "4s", "critical": "4s"}
	c["resolution"] = map[string]string{"low": "8s", "medium": "8s", "high": "8s", "critical": "8s"}
	if code := s.api(http.MethodPost, "/api/v1/contracts", c, nil); code != http.StatusCreated {
		t.Fatalf("contract: %d", code)
	}
	z := s.Zammad
	z.Fail(zammadfake.Fault{Times: -1, Status: 503})
	o := ticketOps{s: s, copies: 1}
	const n = 20
	for i := 0; i < n; i++ {
		o.create(600+i, "Shop nicht erreichbar", "email", "2 normal", "Der Shop ist offline.")
	}
	time.Sleep(6 * time.Second)
	z.ClearFaults()
	z.Fail(zammadfake.Fault{Times: -1, Status: 429, RetryAfter: "2"})
	time.Sleep(6 * time.Second)
	outage := len(z.Requests())
	z.ClearFaults()
	t.Logf("outage over after %d refused requests", outage)

	want := []string{"priority:3 high", "note", "reply", "tag:sla-at-risk-first-response", "tag:sla-breached-first-response",
		"tag:sla-at-risk-resolution", "tag:sla-breached-resolution"}
	var got map[string][]string
	eventually(t, 120*time.Second, "every write-back after the outage", func() bool {
		got = writesPerTicket(z)
		for i := 0; i < n; i++ {
			if !hasTag(z.Tags(600+i), "sla-breached-resolution") {
				return false
			}
		}
		return true
	})
	time.Sleep(2 * time.Second)
	got = writesPerTicket(z)
	bad := 0
	for i := 0; i < n; i++ {
		seq := got[fmt.Sprint(600+i)]
		var kinds []string
		for _, w := range seq {
			k, _, _ := strings.Cut(w, ":note")
			if strings.HasPrefix(w, "note:") {
				k = "note"
			}
			kinds = append(kinds, k)
		}
		if !containsInOrderOnce(kinds, want) {
			bad++
			t.Errorf("ticket %d got %v; want each of %v once, in that order", 600+i, kinds, want)
		}
	}
	fmt.Printf("CHAOS helpdesk-outage: %s tickets=%d bad=%d refused=%d\n", passFail(bad == 0), n, bad, outage)
}

// containsInOrderOnce: every element of want appears exactly once in got, in want's order
// (notes may appear several times: each mark carries one).
func containsInOrderOnce(got, want []string) bool {
	pos := 0
	seen := map[string]int{}
	for _, g := range got {
		if g == "note" {
			continue
		}
		seen[g]++
		if pos < len(want) && want[pos] == "note" {
			pos++
		}
		if pos < len(want) && g == want[pos] {
			pos++
			for pos < len(want) && want[pos] == "note" {
				pos++
			}
		}
	}
	for _, w := range want {
		if w != "note" && seen[w] != 1 {
			return false
		}
	}
	return pos == len(want)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// (b) Redis restarts (AOF on) while webhooks pour in: every delivery that got a 2xx is
// applied afterwards; those refused got 503 and Retry-After, and are applied when the
// helpdesk retries them.
func TestChaosRedisRestart(t *testing.T) {
	chaos(t)
	srv := redistest.Start(t)
	if !srv.Real() {
		t.Skip("needs a real redis-server")
	}
	s := startService(t, serviceOptions{redisAddr: srv.Addr})
	if code := s.api(http.MethodPost, "/api/v1/contracts", secondsContract(), nil); code != http.StatusCreated {
		t.Fatalf("contract: %d", code)
	}
	const n = 400
	var accepted, refused atomic.Int64
	type delivery struct {
		p  zammadfake.Payload
		id string
	}
	var mu sync.Mutex
	var retry []delivery
	var wg sync.WaitGroup
	go func() {
		time.Sleep(300 * time.Millisecond)
		srv.Stop()
		time.Sleep(700 * time.Millisecond)
		if err := srv.Restart(); err != nil {
			t.Error(err)
		}
	}()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := 700 + i
			now := clocktest.Now()
			p := zammadfake.Payload{Ticket: zammadfake.Ticket{ID: id, Title: "Frage", State: "new", Priority: "2 normal",
				OrganizationID: 5, OrganizationName: "Customer Corp", CustomerID: customerID,
				CustomerEmail: "max@customer.example", CreateArticleType: "web", CreatedAt: now, UpdatedAt: now}}
			d := delivery{p, zammadfake.NewDeliveryID()}
			switch code := s.deliver(p, d.id); code {
			case http.StatusAccepted:
				accepted.Add(1)
			case http.StatusServiceUnavailable:
				refused.Add(1)
				mu.Lock()
				retry = append(retry, d)
				mu.Unlock()
			default:
				t.Errorf("ticket %d: %d", id, code)
			}
		}(i)
		time.Sleep(4 * time.Millisecond)
	}
	wg.Wait()
	for _, d := range retry { // the helpdesk's retry of what was refused
		eventually(t, 10*time.Second, "a retried delivery accepted", func() bool { return s.deliver(d.p, d.id) == http.StatusAccepted })
	}
	missing := 0
	eventually(t, 60*time.Second, "every delivery applied", func() bool {
		missing = 0
		for i := 0; i < n; i++ {
			if s.api(http.MethodGet, fmt.Sprintf("/api/v1/tickets/zammad/%d", 700+i), nil, nil) != http.StatusOK {
				missing++
			}
		}
		return missing == 0
	})
	if refused.Load() == 0 {
		t.Errorf("no delivery was refused: the restart did not happen during the run")
	}
	fmt.Printf("CHAOS redis-restart: %s deliveries=%d accepted=%d refused-then-retried=%d lost=%d\n",
		passFail(missing == 0 && refused.Load() > 0), n, accepted.Load(), refused.Load(), missing)
}

// TestChaosWorkerProcess is the worker process of TestChaosWorkerKill (the test binary
// re-executed); it does nothing in a normal run.
func TestChaosWorkerProcess(t *testing.T) {
	if os.Getenv("SLAGUARD_CHAOS_WORKER") == "" {
		t.Skip("only as a child of TestChaosWorkerKill")
	}
	err := run(t.Context(), []string{"worker"}, os.Getenv, io.Discard, io.Discard)
	t.Log(err)
}

// (a) The worker is killed (SIGKILL) in the middle of a burst of tickets and started
// again: every ticket gets its confirmation, once. A task that was running when the
// worker died is re-run after asynq's lease expires (about a minute).
func TestChaosWorkerKill(t *testing.T) {
	chaos(t)
	srv := redistest.Start(t)
	s := startService(t, serviceOptions{redisAddr: srv.Addr, noWorker: true})
	if code := s.api(http.MethodPost, "/api/v1/contracts", quietContract(), nil); code != http.StatusCreated {
		t.Fatalf("contract: %d", code)
	}
	startWorker := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChaosWorkerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SLAGUARD_CHAOS_WORKER=1", "SLAGUARD_ADDR=127.0.0.1:0")
		for k, v := range s.env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Env = append(cmd.Env, "SLAGUARD_ADDR=127.0.0.1:0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	w := startWorker()
	const n = 1000
	o := ticketOps{s: s, copies: 1}
	for i := 0; i < n; i++ {
		o.create(10000+i, "Frage "+strconv.Itoa(i), "web", "2 normal", "Eine Frage.")
		if i == n/3 {
			_ = w.Process.Signal(syscall.SIGKILL)
			_ = w.Wait()
			w = startWorker()
		}
	}
	defer func() { _ = w.Process.Signal(syscall.SIGKILL); _ = w.Wait() }()
	replies := func() map[string]int {
		m := map[string]int{}
		for _, r := range s.Zammad.RequestsTo(http.MethodPost, "/api/v1/ticket_articles") {
			if r.Status >= 200 && r.Status < 300 {
				m[fmt.Sprint(r.BodyMap()["ticket_id"])]++
			}
		}
		return m
	}
	eventually(t, 150*time.Second, "a confirmation for every ticket", func() bool { return len(replies()) == n })
	time.Sleep(3 * time.Second)
	twice := 0
	for id, k := range replies() {
		if k != 1 {
			twice++
			t.Errorf("ticket %s: %d confirmations", id, k)
		}
	}
	fmt.Printf("CHAOS worker-kill: %s tickets=%d confirmed=%d written-twice=%d\n", passFail(twice == 0), n, len(replies()), twice)
}
