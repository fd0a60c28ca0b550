package redisurl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

func TestParseReadsEveryShape(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Target
	}{
		{"redis://:s3cret@10.0.0.5:6379/2", Target{Kind: Single, Addrs: []string{"10.0.0.5:6379"}, Password: "s3cret", DB: 2}},
		{"rediss://app:pw@redis.example:6380", Target{Kind: Single, Addrs: []string{"redis.example:6380"}, Username: "app", Password: "pw"}},
		{"redis-sentinel://:pw@s1:26379,s2:26379,s3:26379/slaguard",
			Target{Kind: Sentinel, Addrs: []string{"s1:26379", "s2:26379", "s3:26379"}, MasterName: "slaguard", Password: "pw"}},
		{"redis-sentinel://s1:26379/mymaster/?db=3&sentinel_password=sp&sentinel_username=su",
			Target{Kind: Sentinel, Addrs: []string{"s1:26379"}, MasterName: "mymaster", DB: 3,
				SentinelUsername: "su", SentinelPassword: "sp"}},
		{"redis-sentinel://[::1]:26379,[::1]:26380/m",
			Target{Kind: Sentinel, Addrs: []string{"[::1]:26379", "[::1]:26380"}, MasterName: "m"}},
		{"redis-sentinel://user:p%40ss@s1:26379/m",
			Target{Kind: Sentinel, Addrs: []string{"s1:26379"}, MasterName: "m", Username: "user", Password: "p@ss"}},
		{"redis-cluster://n1:7000,n2:7001", Target{Kind: Cluster, Addrs: []string{"n1:7000", "n2:7001"}}},
		{"redis-cluster://:pw@n1:7000", Target{Kind: Cluster, Addrs: []string{"n1:7000"}, Password: "pw"}},
	} {
		got, err := Parse(tc.url)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.url, err)
			continue
		}
		if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreUnexported(Target{})); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.url, diff)
		}
	}
}

func TestParseRefusesBadURLsWithoutEchoingThem(t *testing.T) {
	for _, raw := range []string{
		"localhost:6379",
		"http://:hunter2@h:6379",
		"redis-sentinel://:hunter2@s1:26379",             // no master name
		"redis-sentinel://:hunter2@s1:26379/a/b",         // a path beyond the master
		"redis-sentinel://:hunter2@s1/m",                 // no port
		"redis-sentinel://:hunter2@s1:26379/m?db=x",      // bad db
		"redis-sentinel://:hunter2@s1:26379/m?timeout=1", // unknown option
		"redis-cluster://:hunter2@n1:7000/1",             // clusters have db 0 only
		"redis-cluster://:hunter2@n1:99999",
		"redis-cluster://:hunter2@n1:7000,,n2:7000",
		"redis://:hunter2@h:6379/x",
	} {
		_, err := Parse(raw)
		if err == nil {
			t.Errorf("Parse(%q) = nil error", raw)
			continue
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q): %v does not wrap ErrSyntax", raw, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Parse(%q): error shows the password: %v", raw, err)
		}
	}
}

func TestClientAndAsynqOptPointAtTheSamePlace(t *testing.T) {
	for _, tc := range []struct {
		url        string
		wantClient string
		wantOpt    asynq.RedisConnOpt
	}{
		{"redis://:pw@h:6379/1", "*redis.Client", asynq.RedisClientOpt{Network: "tcp", Addr: "h:6379", Password: "pw", DB: 1}},
		{"redis-sentinel://:pw@s1:26379,s2:26379/m?db=1&sentinel_password=sp", "*redis.Client",
			asynq.RedisFailoverClientOpt{MasterName: "m", SentinelAddrs: []string{"s1:26379", "s2:26379"},
				SentinelPassword: "sp", Password: "pw", DB: 1}},
		{"redis-cluster://:pw@n1:7000,n2:7001", "*redis.ClusterClient",
			asynq.RedisClusterClientOpt{Addrs: []string{"n1:7000", "n2:7001"}, Password: "pw"}},
	} {
		tg, err := Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		c := tg.Client()
		switch c.(type) {
		case *redis.Client:
			if tc.wantClient != "*redis.Client" {
				t.Errorf("%s: client is %T, want %s", tc.url, c, tc.wantClient)
			}
		case *redis.ClusterClient:
			if tc.wantClient != "*redis.ClusterClient" {
				t.Errorf("%s: client is %T, want %s", tc.url, c, tc.wantClient)
			}
		}
		c.Close()
		if diff := cmp.Diff(tc.wantOpt, tg.AsynqOpt()); diff != "" {
			t.Errorf("%s: asynq option (-want +got):\n%s", tc.url, diff)
		}
	}
}

func TestRedactHidesEveryPassword(t *testing.T) {
	for raw, want := range map[string]string{
		"redis://:pw@h:6379/0":  "redis://:****@h:6379/0",
		"redis://app:pw@h:6379": "redis://app:****@h:6379",
		"redis://h:6379":        "redis://h:6379",
		"redis-sentinel://:pw@[::1]:1,[::1]:2/m?sentinel_password=sp&db=1": "redis-sentinel://:****@[::1]:1,[::1]:2/m?sentinel_password=****&db=1",
		"redis-cluster://u:p@n1:7000,n2:7000":                              "redis-cluster://u:****@n1:7000,n2:7000",
	} {
		if got := Redact(raw); got != want {
			t.Errorf("Redact(%q) = %q, want %q", raw, got, want)
		}
	}
}
