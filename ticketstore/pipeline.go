package ticketstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// pipeline gathers the commands of many tickets for one round trip. Scripts go by their
// SHA; one Redis answers NOSCRIPT for (it restarted, or never saw it) is loaded and only
// the commands refused run again, so a script that ran is never run twice.
type pipeline struct {
	ops     []func(redis.Pipeliner)
	scripts []*scriptCall
}

type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
}

func (b *pipeline) cmd(op func(redis.Pipeliner)) { b.ops = append(b.ops, op) }

// script queues a script; its answer is in the call's cmd once run returned.
func (b *pipeline) script(ctx context.Context, s *redis.Script, keys []string, args ...any) *scriptCall {
	c := &scriptCall{script: s, keys: keys, args: args}
	b.scripts = append(b.scripts, c)
	b.ops = append(b.ops, func(p redis.Pipeliner) { c.cmd = s.EvalSha(ctx, p, c.keys, c.args...) })
	return c
}

// run sends everything queued in one round trip (and a second one for the scripts Redis
// did not know). It returns the first failure; each call's cmd holds its own.
func (b *pipeline) run(ctx context.Context, rdb redis.UniversalClient) error {
	if len(b.ops) == 0 {
		return nil
	}
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, op := range b.ops {
			op(p)
		}
		return nil
	})
	var again []*scriptCall
	for _, c := range b.scripts {
		if redis.HasErrorPrefix(c.cmd.Err(), "NOSCRIPT") {
			again = append(again, c)
		}
	}
	if len(again) == 0 {
		return err
	}
	loaded := map[*redis.Script]bool{}
	for _, c := range again {
		if !loaded[c.script] {
			if err := c.script.Load(ctx, rdb).Err(); err != nil {
				return err
			}
			loaded[c.script] = true
		}
	}
	_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, c := range again {
			c.cmd = c.script.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range b.scripts {
		if c.cmd.Err() != nil {
			return c.cmd.Err()
		}
	}
	return nil
}
