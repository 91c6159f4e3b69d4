// Package envoy owns the reading of Envoy admin /config_dump output: it parses
// the v3 JSON (as served by the admin API, pilot-agent or istioctl, with an
// optional status-line preamble) into a typed, sorted, queryable Dump per proxy
// (node identity, listeners and filter chains, route configs, clusters,
// endpoints, SDS secrets with parsed public certificate facts, never key
// material), keeps warming, draining and rejected (error_state) resources
// visible, and records every Any type URL it could not decode instead of
// dropping it silently. It explains unreadable input (other admin endpoints,
// istioctl arrays, v2alpha dumps, Kubernetes objects, truncated JSON) with one
// *InputError wrapping ErrUnreadable. The package is pure: no I/O beyond the
// reader handed to ParseReader, no clock, no goroutines. The admin fetcher
// lives in fetch*.go.
//
// Design notes, measured on this machine (2 shared cores, under load): the
// top-level "configs" array is split with encoding/json into one RawMessage per
// entry, and each entry is decoded with protojson into go-control-plane admin
// v3 messages through a resolver that maps Istio 1.5/1.6's embedded Envoy v2
// types to their wire-compatible v3 successors and substitutes an empty
// placeholder (fields discarded) for unknown types. Only the go-control-plane
// packages the model reads, plus common Istio filter types, are linked: a
// one-line main calling Parse (parser files only, without fetch*.go) is
// 12.9 MB against 3.1 MB for an encoding/json-only main; the blank imports of
// filter types cost 0.3 MB of that. BenchmarkParse runs at 10-19 MB/s on the
// largest public fixture (0.7 MB, 4.6 MB allocated per parse) where
// json.Valid runs at 115-240 MB/s, so a 100 MB dump takes several seconds.
// protojson's Any handling is the main cost: it rescans every Any object for
// "@type" and round-trips the payload through the wire format. Decoding each
// resource straight into its v3 type would remove one such level if needed.
//
// ParseFiltered (filter*.go, scan.go) is the answer for mesh-scale dumps: after json.Valid
// one hand-written scan splits the dump into resources and reads their names, and protojson
// runs only on what a Filter keeps; ForHost keeps what a trace of one host reads (checked
// against Parse by bench/'s scenario tests). On a 100 MB sidecar dump (make bench) an
// offline trace measured 1.2-1.5× json.Valid (peak RSS 1.5× the file) against 12-17×
// (RSS 4.9×) with Parse.
package envoy
