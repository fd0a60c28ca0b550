package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Prometheus alert rules cover what an operator must hear about, and every metric
// they name is one slaguard exports (a renamed metric would silence an alert).
func TestAlertRulesNameRealMetrics(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/prometheus/slaguard-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	filepath.WalkDir("../..", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, _ := os.ReadFile(p)
			src.Write(b)
		}
		return nil
	})
	code := src.String()
	alerts := map[string]bool{}
	metric := regexp.MustCompile(`slaguard_[a-z_]+`)
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("%s lacks expr, severity or summary", r.Alert)
			}
			for _, m := range metric.FindAllString(r.Expr, -1) {
				name := strings.TrimSuffix(m, "_bucket")
				exported := strings.Contains(code, `"`+name+`"`) ||
					(name == "slaguard_webhook_deliveries_total" && strings.Contains(code, `"deliveries_total"`))
				if !exported {
					t.Errorf("%s uses %s, which slaguard does not export", r.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"SlaguardSLABreached", "SlaguardWritebacksArchived", "SlaguardReconcileDrift", "SlaguardReconcileStalled", "SlaguardRedisDown", "SlaguardWebhook401Burst", "SlaguardNotificationsFailing"} {
		if !alerts[want] {
			t.Errorf("no alert %s", want)
		}
	}

	// The README quotes some of the rules: each quoted alert is in the file with the same expression.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	quoted := regexp.MustCompile(`(?m)^\s*- alert: (\S+)\n\s*expr: (.+)$`).FindAllStringSubmatch(string(readme), -1)
	if len(quoted) == 0 {
		t.Error("the README quotes no alert rule (the catch-up section should)")
	}
	for _, q := range quoted {
		got, ok := exprs[q[1]]
		if !ok {
			t.Errorf("README quotes alert %s, which deploy/prometheus/slaguard-alerts.yml lacks", q[1])
		} else if strings.TrimSpace(got) != strings.TrimSpace(q[2]) {
			t.Errorf("README's %s is %q, the rules file's %q", q[1], q[2], got)
		}
	}
}
