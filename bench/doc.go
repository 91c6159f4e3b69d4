// Package bench holds kubectl-egress's mesh-scale benchmarks (run by `make bench`, reported
// by hack/bench.sh): an offline trace over sidecar dumps of 10-200 MB against the json.Valid
// floor and `istioctl proxy-config all -f`, and trace.Run and secrets.Run over meshes of 1k to
// 10k Istio objects. The inputs come from internal/scale. Its tests also prove that a trace
// over envoy.ParseFiltered(envoy.ForHost) dumps reports exactly what a trace over Parse does.
// The package has no non-test code beyond this comment.
package bench
