// Package trace follows one external host from a workload through its sidecar, the egress
// gateway and out to the external service. It is pure: it takes a mesh.Snapshot (the Istio
// and Kubernetes objects) and the proxies' parsed envoy.Dumps, and returns a Report — the
// hops with TLS at each, coded findings naming the Istio object responsible, and a verdict
// with the response the client would see. It never touches a client, a clock or stdout.
package trace
