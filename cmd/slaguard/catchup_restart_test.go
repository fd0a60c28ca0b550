package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/monobunt/slaguard/contracts"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/internal/clocktest"
	"github.com/monobunt/slaguard/reconcile"
)

// restartScenario is ten minutes of a helpdesk's life: tickets created, answered, put on
// hold and reopened, one from a customer without contract. With webhooks, each change is
// delivered as Zammad's trigger would and slaguard settles before the next.
func restartScenario(rig *catchupRig, base time.Time, webhooks bool) {
	step := func(at time.Duration, change func() []zammadfake.Payload) {
		rig.clock.Set(base.Add(at))
		ps := change()
		if webhooks {
			for _, p := range ps {
				rig.deliver(p)
			}
			rig.settle()
		}
	}
	create := func(id int, email, body string) func() []zammadfake.Payload {
		return func() []zammadfake.Payload {
			return []zammadfake.Payload{rig.Zammad.Create(zammadfake.Ticket{ID: id, Title: "Anfrage " + email,
				CustomerID: id + 1000, CustomerEmail: email}, zammadfake.Article{Body: body})}
		}
	}
	step(0, create(101, "eins@converge.at", "Eine Frage zur Rechnung."))
	step(30*time.Second, create(105, "fuenf@converge.at", "Wie ändere ich mein Passwort?"))
	step(time.Minute, create(102, "zwei@converge.at", "Der Export bricht ab."))
	step(2*time.Minute, func() []zammadfake.Payload {
		p, _ := rig.Zammad.AddArticle(101, zammadfake.Article{Sender: "Agent", CreatedByID: catchupAgent, Body: "Wir sehen nach."})
		return []zammadfake.Payload{p}
	})
	step(3*time.Minute, func() []zammadfake.Payload {
		p, _ := rig.Zammad.Change(102, catchupAgent, func(t *zammadfake.Ticket) { t.State = "pending reminder" })
		return []zammadfake.Payload{p}
	})
	step(4*time.Minute, create(103, "jemand@other.at", "Können Sie helfen?"))
	step(6*time.Minute, create(104, "vier@converge.at", "Der Shop ist komplett ausgefallen, nichts geht mehr!"))
	step(8*time.Minute, func() []zammadfake.Payload {
		p1, _ := rig.Zammad.AddArticle(102, zammadfake.Article{Sender: "Customer", CreatedByID: 1102, Body: "Bitte nochmal ansehen."})
		p2, _ := rig.Zammad.Change(102, 1102, func(t *zammadfake.Ticket) { t.State = "open" })
		return []zammadfake.Payload{p1, p2}
	})
	rig.clock.Set(base.Add(10 * time.Minute))
}

// finish moves both runs to minute 19 and evaluates the contract's tickets there: ticket
// 105, never answered, is at risk (18.5 of 20 minutes); ticket 102 is not, but only if its
// five minutes on hold count.
func finish(t *testing.T, rig *catchupRig, base time.Time, contractID string) []string {
	t.Helper()
	rig.clock.Set(base.Add(19 * time.Minute))
	if err := rig.app.parts.worker.EnqueueReevaluation(context.Background(),
		contracts.Announcement{ContractID: contractID, Version: 1000}); err != nil {
		t.Fatal(err)
	}
	rig.settle()
	return writeBacks(rig.Zammad)
}

func TestRestartAfterTenMinutesDownWritesWhatACleanRunWrites(t *testing.T) {
	base := clocktest.Now().Truncate(time.Minute)
	var created map[string]any

	// The clean run: every webhook arrives.
	clk := &manualClock{now: base}
	clean := newCatchupRig(t, clk)
	clean.start(nil)
	if code := clean.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "20m"), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	restartScenario(clean, base, true)
	want := finish(t, clean, base, created["id"].(string))
	clean.stopApp()

	// The same ten minutes with slaguard stopped; it catches up when it starts again.
	clk = &manualClock{now: base}
	rig := newCatchupRig(t, clk)
	env := map[string]string{"SLAGUARD_RECONCILE_INTERVAL": "10m"}
	rig.start(env)
	if code := rig.api(http.MethodPost, "/api/v1/contracts", catchupContract(base, "20m"), &created); code != http.StatusCreated {
		t.Fatalf("create contract: %d", code)
	}
	rig.waitPass(base)
	rig.down()
	restartScenario(rig, base, false)
	rig.start(env)
	rig.waitPass(base.Add(10 * time.Minute))
	rig.settle()
	st, _ := reconcile.LoadState(context.Background(), rig.app.rdb, "zammad")
	if st.Drift == 0 {
		t.Error("the pass after the restart recovered nothing")
	}
	got := finish(t, rig, base, created["id"].(string))

	if len(want) == 0 || !containsPrefix(want, "105 tag+ sla-at-risk-first-response") {
		t.Fatalf("the clean run's write-backs miss the at-risk mark the scenario is built around: %v", want)
	}
	t.Logf("write-backs of both runs:\n%s", strings.Join(want, "\n"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("write-backs after the restart differ from the clean run (-clean +restart):\n%s", diff)
	}
}

// waitPass waits for a catch-up pass that finished at the clock's instant at.
func (r *catchupRig) waitPass(at time.Time) {
	r.t.Helper()
	eventually(r.t, 30*time.Second, "a catch-up pass", func() bool {
		st, err := reconcile.LoadState(context.Background(), r.app.rdb, "zammad")
		return err == nil && !st.LastSuccess.Before(at)
	})
}

func containsPrefix(lines []string, p string) bool {
	for _, l := range lines {
		if l == p {
			return true
		}
	}
	return false
}
