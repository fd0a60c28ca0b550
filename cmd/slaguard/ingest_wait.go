package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ingestWaitTimeout bounds how long a webhook waits for replicas before it gives up
// and answers 503 (the helpdesk delivers again).
const ingestWaitTimeout = time.Second

// ingestFence is the channel of the fence; nobody listens to it.
const ingestFence = "slaguard:ingest-fence"

// errNotReplicated: the master has the event, but fewer replicas than asked for
// acknowledged it in time.
var errNotReplicated = errors.New("redis: not replicated in time")

// replicaWait is a go-redis hook for the webhook's queue client
// (SLAGUARD_INGEST_REPLICAS > 0): every script the client runs — asynq's enqueue is
// one — is sent in one pipeline with a fence and WAIT, so all three use the same
// connection. WAIT waits for the replication offset of its connection's last write; the
// fence (a PUBLISH, which Redis replicates) makes that the master's offset now, so WAIT
// also covers a redelivery whose enqueue wrote nothing (the task was already there, from
// a first delivery that may not have reached a replica yet; Redis 7.0 happens to wait
// for it without the fence too, but does not promise to). A shortfall fails the
// command, so the webhook answers 503 and the helpdesk delivers again.
type replicaWait struct {
	rdb      redis.UniversalClient // the hooked client itself
	replicas int
	timeout  time.Duration
}

func (h replicaWait) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h replicaWait) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h replicaWait) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if n := cmd.Name(); n != "evalsha" && n != "eval" {
			return next(ctx, cmd)
		}
		pipe := h.rdb.Pipeline()
		_ = pipe.Process(ctx, cmd)
		pipe.Publish(ctx, ingestFence, "")
		wait := pipe.Do(ctx, "wait", h.replicas, h.timeout.Milliseconds())
		_, _ = pipe.Exec(ctx)
		if err := cmd.Err(); err != nil {
			return err
		}
		got, err := wait.Int()
		if err == nil && got < h.replicas {
			err = fmt.Errorf("%w: %d of %d replicas within %s", errNotReplicated, got, h.replicas, h.timeout)
		}
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		return nil
	}
}
