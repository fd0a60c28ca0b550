package redisurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Kind is the shape of a Redis deployment.
type Kind int

const (
	// Single is one server, perhaps with replicas the application does not know of.
	Single Kind = iota
	// Sentinel is a master found through Redis Sentinel, followed across failovers.
	Sentinel
	// Cluster is a Redis Cluster: keys spread over masters by hash slot.
	Cluster
)

func (k Kind) String() string {
	switch k {
	case Sentinel:
		return "sentinel"
	case Cluster:
		return "cluster"
	}
	return "single"
}

// Target is a parsed REDIS_URL. Its zero value is not useful; make one with Parse.
type Target struct {
	Kind Kind
	// Addrs are the hosts of the URL: the server, the sentinels, or the cluster's seed
	// nodes (any of them; the rest are discovered).
	Addrs []string
	// MasterName is the name the sentinels know the master by (Sentinel only).
	MasterName string
	// Username and Password authenticate to the Redis servers (not the sentinels).
	Username, Password string
	// SentinelUsername and SentinelPassword authenticate to the sentinels, if they ask.
	SentinelUsername, SentinelPassword string
	// DB is the database number (always 0 for a cluster).
	DB int

	single *redis.Options // every option of a redis:// URL, as go-redis parsed it
}

// ErrSyntax is wrapped by every error of Parse.
var ErrSyntax = errors.New("redisurl: invalid URL")

// Parse reads a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL. Its
// errors never repeat the URL, which may hold a password.
func Parse(raw string) (*Target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, fmt.Errorf("%w: want scheme://host:port", ErrSyntax)
	}
	switch scheme {
	case "redis", "rediss":
		opts, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrSyntax, scrub(err.Error(), raw))
		}
		return &Target{Kind: Single, Addrs: []string{opts.Addr}, Username: opts.Username,
			Password: opts.Password, DB: opts.DB, single: opts}, nil
	case "redis-sentinel":
		return parseMulti(Sentinel, rest)
	case "redis-cluster":
		return parseMulti(Cluster, rest)
	}
	return nil, fmt.Errorf("%w: scheme %q: want redis, rediss, redis-sentinel or redis-cluster", ErrSyntax, scheme)
}

// parseMulti reads the part after "scheme://" of a URL with a comma-separated host list,
// which net/url cannot parse when hosts are bracketed IPv6 literals.
func parseMulti(kind Kind, rest string) (*Target, error) {
	t := &Target{Kind: kind}
	var query string
	rest, query, _ = strings.Cut(rest, "?")
	hosts, path, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		info := hosts[:at]
		hosts = hosts[at+1:]
		user, pass, hasPass := strings.Cut(info, ":")
		var err error
		if t.Username, err = url.PathUnescape(user); err != nil {
			return nil, fmt.Errorf("%w: user name: bad escape", ErrSyntax)
		}
		if hasPass {
			if t.Password, err = url.PathUnescape(pass); err != nil {
				return nil, fmt.Errorf("%w: password: bad escape", ErrSyntax)
			}
		}
	}
	for _, h := range strings.Split(hosts, ",") {
		host, port, err := net.SplitHostPort(strings.TrimSpace(h))
		if err != nil || host == "" {
			return nil, fmt.Errorf("%w: host %q: want host:port", ErrSyntax, h)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: host %q: bad port", ErrSyntax, h)
		}
		t.Addrs = append(t.Addrs, net.JoinHostPort(host, port))
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w: query: %v", ErrSyntax, err)
	}
	switch kind {
	case Sentinel:
		if t.MasterName, err = url.PathUnescape(strings.TrimSuffix(path, "/")); err != nil || t.MasterName == "" || strings.Contains(t.MasterName, "/") {
			return nil, fmt.Errorf("%w: want /mastername after the sentinels' hosts", ErrSyntax)
		}
		for k, v := range q {
			switch k {
			case "db":
				if t.DB, err = strconv.Atoi(v[0]); err != nil || t.DB < 0 {
					return nil, fmt.Errorf("%w: db=%q: want a whole number", ErrSyntax, v[0])
				}
			case "sentinel_password":
				t.SentinelPassword = v[0]
			case "sentinel_username":
				t.SentinelUsername = v[0]
			default:
				return nil, fmt.Errorf("%w: unknown option %q (db, sentinel_username, sentinel_password)", ErrSyntax, k)
			}
		}
	case Cluster:
		if path != "" {
			return nil, fmt.Errorf("%w: a cluster URL has no path (a cluster has only database 0)", ErrSyntax)
		}
		for k := range q {
			return nil, fmt.Errorf("%w: unknown option %q (a cluster URL takes none)", ErrSyntax, k)
		}
	}
	return t, nil
}

// Client returns a new go-redis client for the target: a plain client, a failover
// client that follows the master the sentinels name, or a cluster client. The caller
// closes it.
func (t *Target) Client() redis.UniversalClient {
	switch t.Kind {
	case Sentinel:
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: t.MasterName, SentinelAddrs: t.Addrs,
			SentinelUsername: t.SentinelUsername, SentinelPassword: t.SentinelPassword,
			Username: t.Username, Password: t.Password, DB: t.DB,
		})
	case Cluster:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: t.Addrs, Username: t.Username, Password: t.Password,
		})
	}
	o := *t.single
	return redis.NewClient(&o)
}

// AsynqOpt returns the asynq connection option for the same target.
func (t *Target) AsynqOpt() asynq.RedisConnOpt {
	switch t.Kind {
	case Sentinel:
		return asynq.RedisFailoverClientOpt{
			MasterName: t.MasterName, SentinelAddrs: t.Addrs,
			SentinelUsername: t.SentinelUsername, SentinelPassword: t.SentinelPassword,
			Username: t.Username, Password: t.Password, DB: t.DB,
		}
	case Cluster:
		return asynq.RedisClusterClientOpt{Addrs: t.Addrs, Username: t.Username, Password: t.Password}
	}
	o := t.single
	return asynq.RedisClientOpt{Network: o.Network, Addr: o.Addr, Username: o.Username,
		Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig}
}

// scrub removes the raw URL from a go-redis error message.
func scrub(msg, raw string) string {
	msg = strings.ReplaceAll(msg, raw, "REDIS_URL")
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "****")
		}
	}
	return msg
}

// Redact returns raw with its passwords (the server's and sentinel_password) replaced
// by ****, for printing a configuration. A string that is not a URL comes back as is.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	hosts, path, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndex(hosts, "@"); at >= 0 {
		if user, _, hasPass := strings.Cut(hosts[:at], ":"); hasPass {
			hosts = user + ":****" + hosts[at:]
		}
	}
	out := scheme + "://" + hosts
	if hasPath {
		out += "/" + path
	}
	if hasQuery {
		parts := strings.Split(query, "&")
		for i, p := range parts {
			if k, _, ok := strings.Cut(p, "="); ok && strings.Contains(strings.ToLower(k), "password") {
				parts[i] = k + "=****"
			}
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}
