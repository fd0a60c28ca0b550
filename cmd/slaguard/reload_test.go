package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/jobs"
	"github.com/monobunt/slaguard/tasks"
)

// POST /api/v1/admin/reload: a bad rules file is refused naming its line and the rules in
// force stay; a changed file reaches every worker process and re-evaluates the open
// tickets once; the same file again changes nothing.
func TestRulesReloadRefusesABadFileAndReachesEveryWorker(t *testing.T) {
	good := string(rulesfile.DefaultYAML())
	file := writeFile(t, "rules.yaml", good)
	s := startService(t, serviceOptions{workers: 1, env: map[string]string{"SLAGUARD_RULES_FILE": file}})
	lateTicket(s, 6020)
	first := jobs.RulesVersionOf([]byte(good))
	if _, v := s.app.parts.worker.Rules(); v != first {
		t.Fatalf("rules version at start %q, want %q", v, first)
	}

	if err := os.WriteFile(file, []byte(good+"\nrules: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var prob struct {
		Status int `json:"status"`
		Errors []struct{ Field, Reason string }
	}
	if code := s.api(http.MethodPost, "/api/v1/admin/reload", nil, &prob); code != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d, want 422", code)
	}
	if len(prob.Errors) != 1 || prob.Errors[0].Field != "SLAGUARD_RULES_FILE" || !strings.Contains(prob.Errors[0].Reason, "line") {
		t.Errorf("the refusal does not name the field and the line: %+v", prob)
	}
	if _, v := s.app.parts.worker.Rules(); v != first {
		t.Errorf("a refused file changed the rules in force to %q", v)
	}

	edited := good + "\n# edited: reload me\n"
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	var res reloadResult
	if code := s.api(http.MethodPost, "/api/v1/admin/reload", nil, &res); code != http.StatusOK || !res.Changed {
		t.Fatalf("good file: %d %+v", code, res)
	}
	if want := jobs.RulesVersionOf([]byte(edited)); res.RulesVersion != want {
		t.Errorf("version %q, want %q", res.RulesVersion, want)
	}
	eventually(t, 5*time.Second, "the other worker on the new rules", func() bool {
		_, v := s.workers[0].parts.worker.Rules()
		return v == res.RulesVersion
	})
	ins := asynq.NewInspectorFromRedisClient(s.app.rdb)
	eventually(t, 10*time.Second, "the re-evaluation task done", func() bool {
		info, err := ins.GetTaskInfo(tasks.QueueEvents, "rules:"+res.RulesVersion)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	if code := s.api(http.MethodPost, "/api/v1/admin/reload", nil, &res); code != http.StatusOK || res.Changed {
		t.Errorf("the same file again: %d %+v, want unchanged", code, res)
	}
}
