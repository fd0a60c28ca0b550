package main

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
	"github.com/monobunt/slaguard/tasks"
	"github.com/monobunt/slaguard/ticketstore"
)

// TestARulesReloadReevaluatesTheTicketsUnderAContractAndOnlyThose: the rules decide the
// priority correction and change requests, which only a contract's terms act on. A new
// rule reaches the open ticket under a contract (found through the contract's index);
// the tickets without one, of a customer with a domain or of none at all, evaluate the
// same under any rules and are not re-evaluated.
func TestARulesReloadReevaluatesTheTicketsUnderAContractAndOnlyThose(t *testing.T) {
	good := string(rulesfile.DefaultYAML())
	file := writeFile(t, "rules.yaml", good)
	s := startService(t, serviceOptions{workers: 1, env: map[string]string{"SLAGUARD_RULES_FILE": file}})
	if code := s.api(http.MethodPost, "/api/v1/contracts", lateContract("1h", 80), nil); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	lateTicket(s, 6040)                                         // under the contract
	for id, customer := range map[int]int{6041: 601, 6042: 0} { // 601: chef@early.at, 0: none
		email := map[int]string{601: "chef@early.at"}[customer]
		p := s.Zammad.Create(zammadfake.Ticket{ID: id, Title: "Bestellung hängt", CustomerID: customer, CustomerEmail: email},
			zammadfake.Article{Body: "Eine Bestellung hängt seit gestern."})
		if code := s.deliver(p, zammadfake.NewDeliveryID()); code != http.StatusAccepted {
			t.Fatalf("webhook: %d", code)
		}
	}
	s.waitFor(10*time.Second, "the confirmation, and the others marked without contract", func() bool {
		return replies(s.Zammad, 6040) == 1 && hasTag(s.Zammad.Tags(6041), "sla-no-contract") &&
			hasTag(s.Zammad.Tags(6042), "sla-no-contract")
	})
	ctx, w := t.Context(), s.app.parts.worker
	priority := func(id string) sla.Priority {
		t.Helper()
		rec, err := w.Store().Load(ctx, ticketstore.Key("zammad", id))
		if err != nil {
			t.Fatal(err)
		}
		var sum ticketstore.Summary
		if err := json.Unmarshal(rec.Status, &sum); err != nil {
			t.Fatal(err)
		}
		return sum.Priority
	}
	views := func() map[string]sla.Status {
		t.Helper()
		out := map[string]sla.Status{}
		for _, id := range []string{"6041", "6042"} {
			rec, err := w.Store().Load(ctx, ticketstore.Key("zammad", id))
			if err != nil {
				t.Fatal(err)
			}
			v, err := w.View(ctx, rec, time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			out[id] = v.Status
		}
		return out
	}
	if p := priority("6040"); p == sla.High {
		t.Fatalf("ticket 6040 is high before the new rule")
	}
	reevaluated := func() float64 {
		n := 0.0
		for _, a := range append([]*app{s.app}, s.workers...) {
			n += testutil.ToFloat64(a.parts.metrics.Reevaluated.WithLabelValues("rules"))
		}
		return n
	}
	before, viewsBefore := reevaluated(), views()

	edited := good + "  - name: seit-gestern\n    priority: high\n    weight: 5\n    keywords: [seit gestern]\n"
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	var res reloadResult
	if code := s.api(http.MethodPost, "/api/v1/admin/reload", nil, &res); code != http.StatusOK || !res.Changed {
		t.Fatalf("reload: %d %+v", code, res)
	}
	ins := asynq.NewInspectorFromRedisClient(s.app.rdb)
	s.waitFor(10*time.Second, "the re-evaluation task done", func() bool {
		info, err := ins.GetTaskInfo(tasks.QueueEvents, "rules:"+res.RulesVersion)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	if p := priority("6040"); p != sla.High {
		t.Errorf("ticket 6040 under the contract is %s after the reload, want high", p)
	}
	if n := reevaluated() - before; n != 1 {
		t.Errorf("%v tickets re-evaluated for the new rules, want 1 (the one under a contract)", n)
	}
	if diff := cmp.Diff(viewsBefore, views()); diff != "" {
		t.Errorf("a ticket without contract evaluates differently under the new rules (-before +after):\n%s", diff)
	}
}
