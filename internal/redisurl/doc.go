// Package redisurl turns one REDIS_URL into the two Redis handles slaguard needs: a
// go-redis UniversalClient (for slaguard's own keys, asynq's client, server and
// inspector) and an asynq RedisConnOpt (for asynqmon), both pointing at the same place.
//
// Three shapes are understood:
//
//	redis://[[user]:password@]host:port[/db][?go-redis options]     one server (rediss:// for TLS)
//	redis-sentinel://[[user]:password@]host:port[,host:port…]/master[?db=N&sentinel_password=…&sentinel_username=…]
//	redis-cluster://[[user]:password@]host:port[,host:port…]
//
// The user and password of a sentinel or cluster URL are those of the Redis servers
// (the master and its replicas, or the cluster's nodes); the sentinels' own credentials,
// when they have any, go in the query. A cluster has only database 0. IPv6 hosts are
// written in brackets: [::1]:26379.
//
// The package never connects anywhere: Parse only reads the string, and connecting is
// left to the clients it builds.
package redisurl
