package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/redistest"
)

// With SLAGUARD_INGEST_REPLICAS=1 an enqueue succeeds only once a replica holds the
// task: with the only replica hung it fails (the webhook answers 503 and the helpdesk
// delivers again), and it succeeds again when the replica is back. It also prints what
// the wait costs per enqueue.
func TestIngestWaitsForAReplica(t *testing.T) {
	data := redistest.StartReplicated(t, 1)
	master, replica := data[0], data[1]
	plain := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer plain.Close()
	waiting := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer waiting.Close()
	waiting.AddHook(replicaWait{rdb: waiting, replicas: 1, timeout: 300 * time.Millisecond})
	qPlain, qWait := asynq.NewClientFromRedisClient(plain), asynq.NewClientFromRedisClient(waiting)

	enqueue := func(q *asynq.Client, id string) (time.Duration, error) {
		start := time.Now()
		_, err := q.Enqueue(asynq.NewTask("probe", nil, asynq.TaskID(id), asynq.Queue("probe")))
		return time.Since(start), err
	}
	const n = 300
	cost := map[string][]time.Duration{}
	for i := range n {
		for name, q := range map[string]*asynq.Client{"answer at once": qPlain, "wait for 1 replica": qWait} {
			took, err := enqueue(q, fmt.Sprintf("%s-%d", name, i))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cost[name] = append(cost[name], took)
		}
	}
	for _, name := range []string{"answer at once", "wait for 1 replica"} {
		d := cost[name]
		slices.Sort(d)
		fmt.Printf("INGEST-WAIT %-18s enqueues=%d p50=%s p99=%s\n", name, n,
			d[n/2].Round(time.Microsecond), d[n*99/100].Round(time.Microsecond))
	}

	replica.Pause()
	// asynq flattens the error to text, so the test reads the text.
	if _, err := enqueue(qWait, "while the replica hangs"); err == nil || !strings.Contains(err.Error(), errNotReplicated.Error()) {
		t.Errorf("enqueue with the only replica hung: %v, want %q", err, errNotReplicated)
	}
	if _, err := enqueue(qPlain, "plain while the replica hangs"); err != nil {
		t.Errorf("without the wait, a hung replica must not matter: %v", err)
	}
	replica.Resume()
	if _, err := enqueue(qWait, "after the replica is back"); err != nil {
		t.Errorf("enqueue after the replica came back: %v", err)
	}
}
