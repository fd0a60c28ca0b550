package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk"
)

// State is what Redis keeps of a helpdesk's catch-up, in one hash per helpdesk:
//
//	slaguard:reconcile:{zammad}
//	  since         the watermark: updated_at (RFC 3339, ns) of the newest ticket read
//	  cursor        the adapter's position inside since (a page), while a pass runs
//	  last_success  when the last pass finished (unix ms, the service's clock)
//	  last_examined tickets the last pass looked at
//	  last_drift    events the last pass recovered
//
// A helpdesk.TimeCatchup keeps the watermark of its booked time (since, cursor) in a
// hash of its own, slaguard:reconcile:{freshdesk}:time.
type State struct {
	Watermark   helpdesk.Watermark
	LastSuccess time.Time
	Examined    int
	Drift       int
}

func stateKey(helpdeskName string) string { return "slaguard:reconcile:{" + helpdeskName + "}" }
func lockKey(helpdeskName string) string  { return "slaguard:reconcile:{" + helpdeskName + "}:lock" }
func timeKey(helpdeskName string) string  { return "slaguard:reconcile:{" + helpdeskName + "}:time" }

// LoadState reads the catch-up state of a helpdesk; the zero State when it never ran.
func LoadState(ctx context.Context, rdb redis.UniversalClient, helpdeskName string) (State, error) {
	return loadState(ctx, rdb, helpdeskName, stateKey(helpdeskName))
}

func loadState(ctx context.Context, rdb redis.UniversalClient, helpdeskName, key string) (State, error) {
	m, err := rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return State{}, fmt.Errorf("reconcile: read watermark of %s: %w", helpdeskName, err)
	}
	var s State
	if v := m["since"]; v != "" {
		if s.Watermark.Since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return State{}, fmt.Errorf("reconcile: watermark of %s: %w", helpdeskName, err)
		}
	}
	s.Watermark.Cursor = m["cursor"]
	if ms, _ := strconv.ParseInt(m["last_success"], 10, 64); ms > 0 {
		s.LastSuccess = time.UnixMilli(ms).UTC()
	}
	s.Examined, _ = strconv.Atoi(m["last_examined"])
	s.Drift, _ = strconv.Atoi(m["last_drift"])
	return s, nil
}

// saveWatermark stores the progress of a pass. The watermark only moves forward: a pass
// run by hand from an earlier --since never drags it back.
func saveWatermark(ctx context.Context, rdb redis.UniversalClient, helpdeskName string, w helpdesk.Watermark) error {
	return saveWatermarkAt(ctx, rdb, helpdeskName, stateKey(helpdeskName), w)
}

func saveWatermarkAt(ctx context.Context, rdb redis.UniversalClient, helpdeskName, key string, w helpdesk.Watermark) error {
	err := advanceScript.Run(ctx, rdb, []string{key},
		w.Since.UTC().Format(time.RFC3339Nano), w.Since.UnixMilli(), w.Cursor).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("reconcile: store watermark of %s: %w", helpdeskName, err)
	}
	return nil
}

// advanceScript sets since (and cursor) unless the stored since is later.
var advanceScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'since_ms')
if cur and tonumber(cur) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'since', ARGV[1], 'since_ms', ARGV[2], 'cursor', ARGV[3])
return 1`)

func saveSuccess(ctx context.Context, rdb redis.UniversalClient, helpdeskName string, at time.Time, examined, drift int) error {
	err := rdb.HSet(ctx, stateKey(helpdeskName), "last_success", at.UnixMilli(),
		"last_examined", examined, "last_drift", drift).Err()
	if err != nil {
		return fmt.Errorf("reconcile: record pass of %s: %w", helpdeskName, err)
	}
	return nil
}
