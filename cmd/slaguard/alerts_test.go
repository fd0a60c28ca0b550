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
	// Metrics of work that is landing elsewhere (issue 13's catch-up reconciler).
	pending := map[string]bool{"slaguard_reconcile_events_total": true}
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
				if !exported && !pending[name] {
					t.Errorf("%s uses %s, which slaguard does not export", r.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"SlaguardSLABreached", "SlaguardWritebacksArchived", "SlaguardReconcileDrift", "SlaguardRedisDown", "SlaguardWebhook401Burst", "SlaguardNotificationsFailing"} {
		if !alerts[want] {
			t.Errorf("no alert %s", want)
		}
	}
}
