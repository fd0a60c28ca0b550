package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/monobunt/slaguard/internal/redisurl"
	"github.com/monobunt/slaguard/internal/rulesfile"
	"github.com/monobunt/slaguard/sla"
)

// finding is one line of `slaguard doctor`: what was checked, how it went, and for a
// problem, how to fix it.
type finding struct {
	level  string // "ok", "warn" or "FAIL"
	check  string
	detail string
	fix    string
}

// doctor checks what a production install needs — configuration, Redis, the helpdesk
// API and its permissions, the webhook secret, the clock, the rules — and writes one line
// per check with a fix for each problem. It returns an error when a check failed
// (warnings alone pass), so scripts can use its exit status. It changes nothing: the
// helpdesk's write permissions are probed on a ticket that does not exist.
func doctor(ctx context.Context, getenv func(string) string, args []string, httpClient *http.Client, out io.Writer) error {
	var fs []finding
	add := func(level, check, detail, fix string) { fs = append(fs, finding{level, check, detail, fix}) }

	cfg, err := LoadConfig(getenv, args)
	if err != nil {
		add("FAIL", "config", strings.ReplaceAll(err.Error(), "\n", "; "), "correct the named variables (slaguard help lists them all)")
		return report(out, fs)
	}
	add("ok", "config", fmt.Sprintf("%d settings read", len(settings)), "")
	for _, u := range unknownVariables(environ()) {
		add("warn", "config", u, "rename or remove it")
	}
	if len(cfg.AdminTokens) == 0 {
		add("FAIL", "admin tokens", "SLAGUARD_ADMIN_TOKENS is empty: the admin API answers 401 to everyone",
			"set SLAGUARD_ADMIN_TOKENS=name:token (e.g. alice:$(openssl rand -hex 24))")
	} else {
		add("ok", "admin tokens", fmt.Sprintf("%d token(s)", len(cfg.AdminTokens)), "")
	}
	fs = append(fs, checkRedis(ctx, cfg)...)
	others := checkOtherHelpdesks(ctx, cfg, httpClient)
	if cfg.ZammadURL == "" && cfg.ZammadWebhookSecret == "" && len(others) > 0 {
		add("ok", "zammad", "not configured (ZAMMAD_URL empty): the other helpdesks are served", "")
	} else {
		fs = append(fs, checkZammad(ctx, cfg, httpClient)...)
		fs = append(fs, checkWebhookSecret(cfg)...)
	}
	fs = append(fs, others...)
	fs = append(fs, checkRules(cfg)...)
	fs = append(fs, checkSMTP(ctx, cfg, nil)...)
	return report(out, fs)
}

func report(out io.Writer, fs []finding) error {
	fails, warns := 0, 0
	for _, f := range fs {
		fmt.Fprintf(out, "%-5s %s: %s\n", f.level, f.check, f.detail)
		if f.fix != "" && f.level != "ok" {
			fmt.Fprintf(out, "      fix: %s\n", f.fix)
		}
		switch f.level {
		case "FAIL":
			fails++
		case "warn":
			warns++
		}
	}
	fmt.Fprintf(out, "%d problem(s), %d warning(s)\n", fails, warns)
	if fails > 0 {
		return fmt.Errorf("doctor: %d problem(s)", fails)
	}
	return nil
}

func checkRedis(ctx context.Context, cfg *Config) []finding {
	if cfg.RedisURL == "" {
		return []finding{{"warn", "redis", "REDIS_URL is not set: slaguard would start an embedded in-memory Redis whose data is lost on restart",
			"set REDIS_URL=redis://host:6379/0 (Redis >= 6.2 with AOF and maxmemory-policy noeviction)"}}
	}
	target, err := redisurl.Parse(cfg.RedisURL)
	if err != nil {
		return []finding{{"FAIL", "redis", err.Error(), "correct REDIS_URL"}}
	}
	rdb := target.Client()
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	where := redisurl.Redact(cfg.RedisURL)
	if err := rdb.Ping(ctx).Err(); err != nil {
		return []finding{{"FAIL", "redis", "cannot reach " + where + ": " + err.Error(),
			"start Redis or correct REDIS_URL (host, port, password)"}}
	}
	var fs []finding
	info := redisInfo(ctx, rdb, "server", "persistence", "memory")
	if v := info["redis_version"]; !versionAtLeast(v, 6, 2) {
		fs = append(fs, finding{"FAIL", "redis version", "Redis " + v + " at " + where + " is older than 6.2 (asynq's archive script needs 6.2)",
			"upgrade Redis to 6.2 or newer (Debian 12's redis-server 7 is fine)"})
	} else {
		fs = append(fs, finding{"ok", "redis version", "Redis " + v + " at " + where, ""})
	}
	aof := info["aof_enabled"] == "1"
	save, _ := rdb.ConfigGet(ctx, "save").Result()
	rdbOn := save["save"] != ""
	switch {
	case aof:
		fs = append(fs, finding{"ok", "redis persistence", "AOF is on", ""})
	case rdbOn:
		fs = append(fs, finding{"warn", "redis persistence", "only RDB snapshots (save " + save["save"] + "): a crash loses the writes since the last snapshot",
			"turn AOF on: appendonly yes, appendfsync everysec"})
	case save == nil:
		fs = append(fs, finding{"warn", "redis persistence", "AOF is off and CONFIG GET save is not allowed here; persistence could not be confirmed",
			"make sure the Redis persists (appendonly yes)"})
	default:
		fs = append(fs, finding{"FAIL", "redis persistence", "neither AOF nor RDB is on: a Redis restart loses contracts, tickets, timers and the billing ledger",
			"set appendonly yes and appendfsync everysec (redis.conf, or CONFIG SET appendonly yes then CONFIG REWRITE)"})
	}
	if p := info["maxmemory_policy"]; p != "noeviction" {
		fs = append(fs, finding{"FAIL", "redis maxmemory-policy", "is " + p + ": Redis may evict keys, and asynq then loses queued tasks (timers, write-backs)",
			"set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction then CONFIG REWRITE)"})
	} else {
		fs = append(fs, finding{"ok", "redis maxmemory-policy", "noeviction", ""})
	}
	fs = append(fs, listpackFinding(ctx, rdb)...)
	if t, err := rdb.Time(ctx).Result(); err == nil {
		if skew := time.Since(t); skew > 2*time.Second || skew < -2*time.Second {
			fs = append(fs, finding{"FAIL", "clock", fmt.Sprintf("this host's clock is %s off Redis's", skew.Round(time.Second)),
				"run NTP (systemd-timesyncd or chrony) on both hosts"})
		} else {
			fs = append(fs, finding{"ok", "clock", "agrees with Redis's within 2 s", ""})
		}
	}
	return fs
}

// compactHashValue is the hash-max-listpack-value slaguard's memory figures assume: a
// ticket's hash holds its events and status as values of a few hundred bytes, and Redis
// keeps a hash in its compact encoding (listpack, about 30 % smaller for a ticket) only
// while every value is at most this long; the default is 64.
const compactHashValue = 1024

// listpackFinding checks hash-max-listpack-value (its Redis 6 name, hash-max-ziplist-value,
// is read on 6.2 and 7 alike); nothing when CONFIG GET is not allowed.
func listpackFinding(ctx context.Context, rdb redis.UniversalClient) []finding {
	m, err := rdb.ConfigGet(ctx, "hash-max-ziplist-value").Result()
	if err != nil || m["hash-max-ziplist-value"] == "" {
		return nil
	}
	v, _ := strconv.Atoi(m["hash-max-ziplist-value"])
	if v >= compactHashValue {
		return []finding{{"ok", "redis hash-max-listpack-value", strconv.Itoa(v), ""}}
	}
	return []finding{{"warn", "redis hash-max-listpack-value", fmt.Sprintf("is %d: each open ticket takes about 300 B more Redis memory than with %d", v, compactHashValue),
		fmt.Sprintf("set hash-max-listpack-value %d (redis.conf, or CONFIG SET hash-max-listpack-value %d then CONFIG REWRITE)", compactHashValue, compactHashValue)}}
}

// redisInfo reads the INFO sections into one key → value map.
func redisInfo(ctx context.Context, rdb redis.UniversalClient, sections ...string) map[string]string {
	m := map[string]string{}
	for _, s := range sections {
		txt, err := rdb.Info(ctx, s).Result()
		if err != nil {
			continue
		}
		for _, line := range strings.Split(txt, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
				m[k] = v
			}
		}
	}
	return m
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

func checkWebhookSecret(cfg *Config) []finding {
	switch {
	case cfg.ZammadWebhookSecret == "" && cfg.InsecureWebhooks:
		return []finding{{"warn", "webhook secret", "none, and SLAGUARD_INSECURE_WEBHOOKS=1 accepts unsigned webhooks from anyone",
			"set ZAMMAD_WEBHOOK_SECRET to the webhook's HMAC SHA1 Signature Token and SLAGUARD_INSECURE_WEBHOOKS=0"}}
	case cfg.ZammadWebhookSecret == "":
		return []finding{{"FAIL", "webhook secret", "ZAMMAD_WEBHOOK_SECRET is not set: POST /webhooks/zammad is not mounted",
			"generate one (openssl rand -hex 24), put it in Zammad's webhook as HMAC SHA1 Signature Token and in ZAMMAD_WEBHOOK_SECRET"}}
	case len(cfg.ZammadWebhookSecret) < 16:
		return []finding{{"warn", "webhook secret", fmt.Sprintf("only %d characters long", len(cfg.ZammadWebhookSecret)),
			"use at least 16 random characters (openssl rand -hex 24), in Zammad and in ZAMMAD_WEBHOOK_SECRET"}}
	}
	return []finding{{"ok", "webhook secret", "set", ""}}
}

func checkRules(cfg *Config) []finding {
	var fs []finding
	if _, err := rulesfile.Load(cfg.RulesFile); err != nil {
		fs = append(fs, finding{"FAIL", "rules file", err.Error(), "fix the YAML (slaguard rules explain shows how a text is classified) or unset SLAGUARD_RULES_FILE for the built-in rules"})
	} else if cfg.RulesFile == "" {
		fs = append(fs, finding{"ok", "rules file", "built-in rules", ""})
	} else {
		fs = append(fs, finding{"ok", "rules file", cfg.RulesFile + " loads", ""})
	}
	if cfg.ConfirmationFile != "" {
		text, err := os.ReadFile(cfg.ConfirmationFile)
		if err == nil {
			_, err = sla.ParseConfirmationTemplate(string(text))
		}
		if err != nil {
			fs = append(fs, finding{"FAIL", "confirmation template", err.Error(), "fix the text/template or unset SLAGUARD_CONFIRMATION_TEMPLATE"})
		} else {
			fs = append(fs, finding{"ok", "confirmation template", cfg.ConfirmationFile + " parses", ""})
		}
	}
	return fs
}
