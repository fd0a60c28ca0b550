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

// errNotReplicated: the master has the event, but fewer replicas than asked for
// acknowledged it in time.
var errNotReplicated = errors.New("redis: not replicated in time")

// replicaWait is a go-redis hook for the webhook's queue client
// (SLAGUARD_INGEST_REPLICAS > 0): every script the client runs — asynq's enqueue is
// one — is sent in one pipeline with WAIT, so both use the same connection and WAIT
// waits for exactly that write (WAIT counts the writes of its own connection). A
// shortfall fails the command, so the webhook answers 503.
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
