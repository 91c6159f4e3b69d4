//go:build tools

// Package etcdtools pins the etcd server the test harness builds.
package etcdtools

import _ "go.etcd.io/etcd/server/v3"
