package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigNamesEveryBadVariable(t *testing.T) {
	_, err := LoadConfig(envOf(map[string]string{
		"SLAGUARD_ADDR":              "no-port",
		"REDIS_URL":                  "http://redis:6379",
		"SLAGUARD_CONCURRENCY":       "0",
		"SLAGUARD_SHUTDOWN_TIMEOUT":  "forever",
		"SLAGUARD_LOG_LEVEL":         "loud",
		"SLAGUARD_INSECURE_WEBHOOKS": "maybe",
		"ZAMMAD_URL":                 "helpdesk.example.at",
		"SLAGUARD_RULES_FILE":        "/nonexistent/rules.yaml",
	}), nil)
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	for _, name := range []string{"SLAGUARD_ADDR", "REDIS_URL", "SLAGUARD_CONCURRENCY", "SLAGUARD_SHUTDOWN_TIMEOUT",
		"SLAGUARD_LOG_LEVEL", "SLAGUARD_INSECURE_WEBHOOKS", "ZAMMAD_URL", "SLAGUARD_RULES_FILE"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestConfigFlagsWinOverVariables(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{"SLAGUARD_ADDR": ":9000"}), []string{"-addr", ":9100", "-concurrency", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || c.Concurrency != 7 {
		t.Errorf("addr %q concurrency %d, want the flags' :9100 and 7", c.Addr, c.Concurrency)
	}
	if _, err := LoadConfig(envOf(nil), []string{"-concurrency", "x"}); err == nil || !strings.Contains(err.Error(), "-concurrency") {
		t.Errorf("bad flag: %v", err)
	}
}

func TestConfigPrintMasksSecrets(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{
		"REDIS_URL":             "redis://:s3cret-redis@redis:6379/0",
		"SLAGUARD_ADMIN_TOKENS": "admin-token-one,admin-token-two",
		"ZAMMAD_URL":            "https://helpdesk.example.at", "ZAMMAD_TOKEN": "zammad-s3cret",
		"ZAMMAD_WEBHOOK_SECRET": "hook-s3cret",
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c.Print(&out)
	for _, secret := range []string{"s3cret-redis", "admin-token-one", "admin-token-two", "zammad-s3cret", "hook-s3cret"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("config print shows the secret %q:\n%s", secret, out.String())
		}
	}
	for _, want := range []string{"ZAMMAD_URL=https://helpdesk.example.at", "SLAGUARD_ADMIN_TOKENS=****,****", "ZAMMAD_TOKEN=****", "REDIS_URL=redis://:****@redis:6379/0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("config print lacks %q:\n%s", want, out.String())
		}
	}
}

// The README's configuration table is the one the code has.
func TestReadmeListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), ConfigTable()) {
		t.Errorf("README.md's configuration table is out of date; paste this:\n%s", ConfigTable())
	}
}

// docker-compose.yml runs what the config table describes (no helpdesk's settings
// required, so any one of the three can run alone): every required variable is
// passed, with a placeholder, to the web and the worker; Redis persists with AOF.
func TestComposeFileMatchesTheConfig(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Ports       []string          `yaml:"ports"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	redis, ok := doc.Services["redis"]
	if !ok || !strings.HasPrefix(redis.Image, "redis:7") {
		t.Fatalf("no redis:7 service: %+v", doc.Services)
	}
	cmd := strings.Join(redis.Command, " ")
	if !strings.Contains(cmd, "--appendonly yes") || !strings.Contains(cmd, "--appendfsync everysec") {
		t.Errorf("redis does not persist with AOF everysec: %q", cmd)
	}
	if len(redis.Volumes) == 0 || len(doc.Volumes) == 0 {
		t.Errorf("redis data is not on a volume")
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env] = true
	}
	required := []string{"REDIS_URL", "SLAGUARD_ADMIN_TOKENS"}
	placeholder := regexp.MustCompile(`^\$\{[A-Z_]+:\?.+\}$`)
	// A Zendesk-only or Freshdesk-only agency sets none of ZAMMAD_*, and the reverse.
	helpdeskVar := regexp.MustCompile(`^(ZAMMAD|ZENDESK|FRESHDESK)_`)
	for _, role := range []string{"web", "worker"} {
		svc, ok := doc.Services[role]
		if !ok {
			t.Errorf("no %s service", role)
			continue
		}
		if len(svc.Command) == 0 || svc.Command[0] != role {
			t.Errorf("%s service runs %v", role, svc.Command)
		}
		if svc.Healthcheck == nil {
			t.Errorf("%s service has no health check", role)
		}
		for name := range svc.Environment {
			if !known[name] {
				t.Errorf("%s sets %s, which slaguard does not read", role, name)
			}
		}
		// Every setting can be set from .env: passed through with the table's default.
		for _, set := range settings {
			v, ok := svc.Environment[set.env]
			if !ok {
				t.Errorf("%s does not pass %s (a .env value would be silently ignored)", role, set.env)
			} else if set.env != "SLAGUARD_ADDR" && !strings.HasPrefix(v, "${"+set.env+":") {
				t.Errorf("%s: %s=%q does not take the value from .env", role, set.env, v)
			}
		}
		if len(svc.Ports) > 0 {
			t.Errorf("%s publishes host ports %v: --scale %s=N would clash (Caddy publishes 80/443)", role, svc.Ports, role)
		}
		mounted := false
		for _, v := range svc.Volumes {
			mounted = mounted || strings.HasSuffix(v, ":/etc/slaguard:ro")
		}
		if !mounted {
			t.Errorf("%s mounts no directory for rules and template files at /etc/slaguard", role)
		}
		for name, v := range svc.Environment {
			if helpdeskVar.MatchString(name) && v != "${"+name+":-}" {
				t.Errorf("%s: %s=%q: a helpdesk's setting must be optional (${%s:-})", role, name, v, name)
			}
		}
		for _, name := range required {
			v, ok := svc.Environment[name]
			if !ok {
				t.Errorf("%s does not pass %s", role, name)
			} else if name != "REDIS_URL" && !placeholder.MatchString(v) {
				t.Errorf("%s: %s=%q is not a required placeholder", role, name, v)
			}
		}
	}
}

// Named admin tokens show their names, never their secrets; a name given twice is refused.
func TestConfigNamedAdminTokens(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{"SLAGUARD_ADMIN_TOKENS": "alice:alice-s3cret-1,bob:bob-s3cret-22,bare-s3cret-333"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c.Print(&out)
	if !strings.Contains(out.String(), "SLAGUARD_ADMIN_TOKENS=alice:****,bob:****,****\n") || strings.Contains(out.String(), "s3cret") {
		t.Errorf("print:\n%s", out.String())
	}
	if _, err := LoadConfig(envOf(map[string]string{"SLAGUARD_ADMIN_TOKENS": "alice:alice-s3cret-1,alice:other-s3cret"}), nil); err == nil || !strings.Contains(err.Error(), "alice") {
		t.Errorf("duplicate name: %v", err)
	}
	if _, err := LoadConfig(envOf(map[string]string{"SLAGUARD_ADMIN_TOKENS": "alice:short"}), nil); err == nil {
		t.Error("a 5-character secret behind a name was accepted")
	}
}

func TestConfigRefusesIngestReplicasWithoutReplicas(t *testing.T) {
	for _, url := range []string{"", "redis-cluster://n1:7000,n2:7000"} {
		_, err := LoadConfig(envOf(map[string]string{"REDIS_URL": url, "SLAGUARD_INGEST_REPLICAS": "1"}), nil)
		if err == nil || !strings.Contains(err.Error(), "SLAGUARD_INGEST_REPLICAS:") {
			t.Errorf("REDIS_URL=%q with SLAGUARD_INGEST_REPLICAS=1: %v, want it refused", url, err)
		}
	}
	if _, err := LoadConfig(envOf(map[string]string{"REDIS_URL": "redis-sentinel://s1:26379,s2:26379/slaguard",
		"SLAGUARD_INGEST_REPLICAS": "1"}), nil); err != nil {
		t.Errorf("sentinel URL with SLAGUARD_INGEST_REPLICAS=1: %v", err)
	}
}
