// Package scale builds mesh-scale inputs for the benchmarks in bench/: Envoy config dumps of
// tens to hundreds of MB made by faithfully replicating an istiod-generated sidecar dump,
// and a mesh snapshot of thousands of Istio objects, pods and credential Secrets. Dumps are
// cached under the git-ignored .cache/scale and never committed. Test-only support code.
package scale
