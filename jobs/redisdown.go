package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// How long a failed task waits for Redis to answer again before asynq is told of the
// failure, and how often it asks. The wait stays well inside asynq's 30 s task lease:
// past the lease asynq leaves the task to its lease recovery anyway.
const (
	redisWait = 20 * time.Second
	redisPoll = 100 * time.Millisecond
)

// holdFailures is the worker's asynq middleware: a task that failed is handed back to
// asynq only once Redis answers (PING), at most redisWait later.
//
// asynq records a failed attempt in Redis (the task moves to its retry set, or to the
// archive). When Redis is away at that moment, asynq v0.26 keeps the task in its active
// list until its lease recovery picks it up: the lease (30 s) must have run out for 30 s
// more, and the recoverer looks once a minute, so the task runs again one to two minutes
// later. Its own retries of the write run on a context that is already cancelled and
// never succeed. Tasks fail exactly then, when Redis restarts under them, so without
// this every webhook in flight at a Redis restart (accepted with 202, queued) was
// applied up to two minutes late. Held here, the failure is recorded at once when Redis
// is back and the task is retried after its usual retry delay (RetryDelay: 1 s).
//
// A task that succeeded is not held: what it did is in Redis already, and if asynq then
// cannot record the success, the lease recovery runs it again, which finds nothing new.
func (w *Worker) holdFailures(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		if err != nil {
			w.awaitRedis(ctx)
		}
		return err
	})
}

// awaitRedis returns once Redis answers a PING, ctx ends or redisWait has passed.
func (w *Worker) awaitRedis(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, redisWait)
	defer cancel()
	tick := time.NewTicker(redisPoll)
	defer tick.Stop()
	for {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		err := w.cfg.Redis.Ping(pctx).Err()
		pcancel()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
