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
	// A generous wait for the cost (a loaded machine must not fail it), a short one for
	// the hung replica.
	waiting := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer waiting.Close()
	waiting.AddHook(replicaWait{rdb: waiting, replicas: 1, timeout: 5 * time.Second})
	impatient := redis.NewClient(&redis.Options{Addr: master.Addr, PoolSize: 1})
	defer impatient.Close()
	impatient.AddHook(replicaWait{rdb: impatient, replicas: 1, timeout: 300 * time.Millisecond})
	qPlain, qWait := asynq.NewClientFromRedisClient(plain), asynq.NewClientFromRedisClient(waiting)
	qImpatient := asynq.NewClientFromRedisClient(impatient)

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

	// The impatient client's one connection writes once while the replica is well.
	if _, err := enqueue(qImpatient, "before the hang"); err != nil {
		t.Fatal(err)
	}
	replica.Pause()
	if _, err := enqueue(qPlain, "plain while the replica hangs"); err != nil {
		t.Errorf("without the wait, a hung replica must not matter: %v", err)
	}
	// asynq flattens the error to text, so the test reads the text.
	notReplicated := func(err error) bool {
		return err != nil && strings.Contains(err.Error(), errNotReplicated.Error())
	}
	// The redelivery of an event the master took but no replica has: the enqueue writes
	// nothing (the TaskID is taken), and must still wait for that first write.
	if _, err := enqueue(qImpatient, "plain while the replica hangs"); !notReplicated(err) {
		t.Errorf("redelivery of an unreplicated event: %v, want %q", err, errNotReplicated)
	}
	if _, err := enqueue(qImpatient, "while the replica hangs"); !notReplicated(err) {
		t.Errorf("enqueue with the only replica hung: %v, want %q", err, errNotReplicated)
	}
	replica.Resume()
	if _, err := enqueue(qImpatient, "after the replica is back"); err != nil {
		t.Errorf("enqueue after the replica came back: %v", err)
	}
}
