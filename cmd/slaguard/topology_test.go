package main

import (
	"net/http"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/tasks"
)

// The policy's day and the billing day pass unchanged on a Redis Cluster of three
// masters: every key of one script or transaction shares a slot (a cross-slot one fails
// its task, which checkNoTaskFailed sees), and asynq's queues spread over the nodes.
func TestEndToEndOnACluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	opt := serviceOptions{redisURL: cluster.URL()}
	t.Run("queue dashboard", func(t *testing.T) {
		cluster.Flush(t)
		checkQueueDashboard(t, startService(t, opt))
	})
	t.Run("enforcement day", func(t *testing.T) {
		cluster.Flush(t)
		runScenario(t, opt, 1)
	})
	t.Run("billing day", func(t *testing.T) {
		cluster.Flush(t)
		billingDay(t, opt)
	})
}

// checkNoTaskFailed: no task of any queue failed (a handler error, as a cross-slot
// transaction on a cluster would be); waiting turns and honoured 429s do not count.
func checkNoTaskFailed(t *testing.T, s *testService) {
	t.Helper()
	for q, info := range queueInfos(t, s) {
		if info.FailedTotal != 0 || info.Archived != 0 {
			t.Errorf("queue %s: %d tasks failed, %d archived; want none", q, info.FailedTotal, info.Archived)
		}
	}
}

// checkEachTaskRanOnce: every task that completed ran exactly once. asynq counts each
// processing in ProcessedTotal and keeps a completed task (with its unique TaskID) for its
// retention, so a timer fired twice, or a write-back or event handled twice — by two
// workers, or again after a lease ran out — shows as more processed than completed.
func checkEachTaskRanOnce(t *testing.T, s *testService) {
	t.Helper()
	for q, info := range queueInfos(t, s) {
		if info.ProcessedTotal != info.Completed+info.FailedTotal {
			t.Errorf("queue %s: %d processings for %d completed and %d failed tasks: some ran twice",
				q, info.ProcessedTotal, info.Completed, info.FailedTotal)
		}
	}
}

// queueInfos are the stats of slaguard's queues that asynq knows: a queue is known once a
// task was enqueued to it (a day without push notifications has no notify queue).
func queueInfos(t *testing.T, s *testService) map[string]*asynq.QueueInfo {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(s.app.rdb)
	known, err := insp.Queues()
	if err != nil {
		t.Fatalf("queues: %v", err)
	}
	out := map[string]*asynq.QueueInfo{}
	for _, q := range known {
		if _, ours := tasks.Queues[q]; !ours {
			continue
		}
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			t.Fatalf("queue %s: %v", q, err)
		}
		out[q] = info
	}
	return out
}

// checkQueueDashboard: asynqmon, which builds its own client from the asynq connection
// option of REDIS_URL, lists the queues.
func checkQueueDashboard(t *testing.T, s *testService) {
	t.Helper()
	if code := s.deliver(zammadfake.Payload{Ticket: zammadfake.Ticket{ID: 1, Title: "x", State: "new",
		CreatedAt: clocktest.Now(), UpdatedAt: clocktest.Now()}}, zammadfake.NewDeliveryID()); code != http.StatusAccepted {
		t.Fatalf("webhook: %d", code)
	}
	var out struct {
		Queues []struct {
			Queue string `json:"queue"`
		} `json:"queues"`
	}
	if code := s.api(http.MethodGet, "/admin/queues/api/queues", nil, &out); code != http.StatusOK {
		t.Fatalf("GET /admin/queues/api/queues: %d", code)
	}
	for _, q := range out.Queues {
		if q.Queue == tasks.QueueEvents {
			return
		}
	}
	t.Errorf("the queue dashboard lists %+v, want the events queue", out.Queues)
}
