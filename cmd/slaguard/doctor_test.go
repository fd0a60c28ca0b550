package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/helpdesk/freshdesk/freshdeskfake"
	"github.com/monobunt/slaguard/helpdesk/zammad/zammadfake"
	"github.com/monobunt/slaguard/helpdesk/zendesk/zendeskfake"
	"github.com/monobunt/slaguard/internal/redistest"
)

// doctorEnv is a production-like configuration against a Redis and a fake Zammad.
func doctorEnv(redisAddr string, z *zammadfake.Server) map[string]string {
	return map[string]string{
		"REDIS_URL": "redis://" + redisAddr + "/0", "SLAGUARD_ADMIN_TOKENS": "alice:alice-token-123",
		"ZAMMAD_URL": z.URL, "ZAMMAD_TOKEN": z.Token, "ZAMMAD_WEBHOOK_SECRET": "a-long-webhook-secret-0123456789",
	}
}

func TestDoctorPassesAHealthyInstall(t *testing.T) {
	r := redistest.Start(t) // AOF on, noeviction: as production should be
	z := zammadfake.Start(t, zammadfake.Options{Strict: true})
	var out bytes.Buffer
	if err := doctor(t.Context(), envOf(doctorEnv(r.Addr, z)), nil, z.Client(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"ok    redis version", "ok    redis persistence: AOF is on", "ok    redis maxmemory-policy: noeviction",
		"ok    redis hash-max-listpack-value: 1024",
		"ok    zammad permission: may read tickets", "ok    zammad permission: may write tags", "ok    zammad permission: may write notes",
		"ok    zammad permission: may read time accounting", "ok    webhook secret", "ok    rules file", "0 problem(s)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
	// It wrote nothing to Zammad.
	for _, req := range z.Requests() {
		if req.Method != "GET" && req.Status < 300 {
			t.Errorf("doctor changed Zammad: %s %s → %d", req.Method, req.Path, req.Status)
		}
	}
}

// Each misconfiguration is named with its fix, and the exit status says so.
func TestDoctorNamesEachProblemAndItsFix(t *testing.T) {
	r := redistest.Start(t)
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	for _, kv := range [][2]string{{"maxmemory-policy", "allkeys-lru"}, {"appendonly", "no"}, {"save", ""}, {"hash-max-ziplist-value", "64"}} {
		if err := c.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			t.Fatal(err)
		}
	}
	z := zammadfake.Start(t, zammadfake.Options{Strict: true, NoAgent: true})
	env := doctorEnv(r.Addr, z)
	env["ZAMMAD_WEBHOOK_SECRET"] = ""
	env["SLAGUARD_RULES_FILE"] = writeFile(t, "rules.yaml", "rules: [unclosed")
	var out bytes.Buffer
	err := doctor(ctx, envOf(env), nil, z.Client(), &out)
	if err == nil {
		t.Fatalf("doctor passed a broken install:\n%s", out.String())
	}
	for _, want := range []string{
		"FAIL  redis persistence", "CONFIG SET appendonly yes",
		"FAIL  redis maxmemory-policy: is allkeys-lru", "maxmemory-policy noeviction",
		"warn  redis hash-max-listpack-value: is 64", "CONFIG SET hash-max-listpack-value 1024",
		"FAIL  zammad permission: the token may not read tickets (403)", "FAIL  zammad permission: the token may not write tags (403)",
		"FAIL  zammad permission: the token may not write notes (403)", "FAIL  zammad permission: the token may not read time accounting (403)",
		"ticket.agent",
		"FAIL  webhook secret: ZAMMAD_WEBHOOK_SECRET is not set", "FAIL  rules file",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}

	// A wrong token and an unreachable URL.
	env = doctorEnv(r.Addr, z)
	env["ZAMMAD_TOKEN"] = "not-the-token"
	out.Reset()
	if err := doctor(ctx, envOf(env), nil, z.Client(), &out); err == nil || !strings.Contains(out.String(), "FAIL  zammad token: Zammad refuses ZAMMAD_TOKEN (401)") {
		t.Errorf("wrong token: %v\n%s", err, out.String())
	}
	env["ZAMMAD_URL"] = "http://" + freeAddr(t)
	out.Reset()
	if err := doctor(ctx, envOf(env), nil, nil, &out); err == nil || !strings.Contains(out.String(), "FAIL  zammad url: cannot reach") {
		t.Errorf("unreachable URL: %v\n%s", err, out.String())
	}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A Zendesk-only or Freshdesk-only install needs no ZAMMAD_*: doctor checks the helpdesk
// it has (its secret, its API user) and finds nothing missing.
func TestDoctorChecksAZendeskOrFreshdeskOnlyInstallWithoutZammad(t *testing.T) {
	r := redistest.Start(t)
	zd := zendeskfake.Start(t, zendeskfake.Options{})
	fd := freshdeskfake.Start(t, freshdeskfake.Options{})
	for name, env := range map[string]map[string]string{
		"zendesk":   {"ZENDESK_URL": zd.URL, "ZENDESK_EMAIL": zd.Email, "ZENDESK_TOKEN": zd.Token, "ZENDESK_WEBHOOK_SECRET": "a-long-webhook-secret-0123456789"},
		"freshdesk": {"FRESHDESK_URL": fd.URL, "FRESHDESK_API_KEY": fd.APIKey, "FRESHDESK_WEBHOOK_SECRET": "a-long-webhook-secret-0123456789"},
	} {
		t.Run(name, func(t *testing.T) {
			env["REDIS_URL"], env["SLAGUARD_ADMIN_TOKENS"] = "redis://"+r.Addr+"/0", "alice:alice-token-123"
			var out bytes.Buffer
			if err := doctor(t.Context(), envOf(env), nil, nil, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			for _, want := range []string{"ok    zammad: not configured", "ok    " + name + " webhook secret", "ok    " + name + " api: slaguard works as user"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("lacks %q:\n%s", want, out.String())
				}
			}
			// With a wrong credential the API check fails and names the fix.
			for k := range env {
				if strings.HasSuffix(k, "_TOKEN") && k != "SLAGUARD_ADMIN_TOKENS" || strings.HasSuffix(k, "_API_KEY") {
					env[k] = "wrong"
				}
			}
			out.Reset()
			if err := doctor(t.Context(), envOf(env), nil, nil, &out); err == nil || !strings.Contains(out.String(), "FAIL  "+name+" api") {
				t.Errorf("a wrong credential passed:\n%s", out.String())
			}
		})
	}
}
