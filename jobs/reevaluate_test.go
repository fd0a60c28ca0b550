package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk"
	"github.com/monobunt/slaguard/internal/redistest"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// A re-evaluation that dies halfway (here: after two of three batches) resumes after the
// last batch whose write-backs were enqueued: every ticket is evaluated once in all, and
// each has the write-back task of its newest marks.
func TestAReevaluationThatDiesHalfwayResumesAfterTheLastBatchDone(t *testing.T) {
	const n = 2*reevaluateBatch + 100
	rdb := redistest.Client(t)
	w, _ := scaleWorker(t, rdb)
	w.cfg.Metrics = NewMetrics(nil)
	ctx := context.Background()
	now := time.Now().UTC()
	var keys []string
	for i := 0; i < n; i++ {
		id := strconv.Itoa(20000 + i)
		ev := helpdesk.Event{Helpdesk: "zammad", DeliveryID: "d" + id, ReceivedAt: now,
			Ticket: helpdesk.Ticket{ID: id, Title: "Frage", State: "new", Priority: sla.Low,
				CustomerEmail: "chef@late.at", Channel: helpdesk.ChannelWeb, CreatedAt: now, UpdatedAt: now}}
		key := ticketstore.Key("zammad", id)
		if _, _, err := w.process(ctx, key, &ev); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	targets := map[string]string{"low": "1h", "medium": "1h", "high": "1h", "critical": "1h"}
	if _, err := w.cfg.Contracts.Create(ctx, contracts.Spec{Customer: "Late GmbH", Plan: "sla1", StartsOn: "2020-01-01",
		Domains: []string{"late.at"}, Calendar: sla.CalendarSpec{Preset: "24x7"}, FirstResponse: targets, Resolution: targets}); err != nil {
		t.Fatal(err)
	}
	evaluated := func() int { return int(testutil.ToFloat64(w.cfg.Metrics.Reevaluated.WithLabelValues("contract"))) }

	died := errors.New("the worker died")
	batches := 0
	dieBeforeThird := func(context.Context) (bool, error) {
		if batches++; batches == 3 {
			return false, died
		}
		return true, nil
	}
	const cursor = "slaguard:reevaluate:{test}:1"
	if err := w.evaluateResumable(ctx, "contract", cursor, keys, dieBeforeThird); !errors.Is(err, died) {
		t.Fatalf("first run: %v, want it to die", err)
	}
	if got := evaluated(); got != 2*reevaluateBatch {
		t.Errorf("%d tickets evaluated before the worker died, want %d", got, 2*reevaluateBatch)
	}
	if err := w.evaluateResumable(ctx, "contract", cursor, keys, nil); err != nil {
		t.Fatal(err)
	}
	if got := evaluated(); got != n {
		t.Errorf("%d tickets evaluated in all, want %d (each once)", got, n)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	for _, k := range keys {
		rec, err := w.store.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Index == "" || rec.Index[0] != 'c' {
			t.Fatalf("%s is not under the contract: index entry %q", k, rec.Index)
		}
		id := fmt.Sprintf("write:%s:%d", k, rec.LastIssued())
		if _, err := insp.GetTaskInfo(tasks.QueueWrites, id); err != nil {
			t.Fatalf("%s: no write-back task %s for its newest marks: %v", k, id, err)
		}
	}
}
